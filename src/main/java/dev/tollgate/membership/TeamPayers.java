package dev.tollgate.membership;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.ledger.Payer;
import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.security.CurrentUser;
import dev.tollgate.platform.tx.Transactions;

/**
 * Which account a call charges: the one the caller names in {@code X-Tollgate-Account}
 * ({@code team:<id>}, a pool they are an active member of), or their own when they name none. A
 * caller who names a pool they are not a member of is answered 403 before anything changes; the
 * pool's charge checks the membership again, with the member's cap, in its own transaction. A
 * member who spent from the pool moments ago is not read again ({@link RecentMemberships}).
 */
@RequestScoped
public class TeamPayers {

    /** The header that names the account a call charges. */
    public static final String ACCOUNT_HEADER = "X-Tollgate-Account";

    @Inject
    CurrentUser user;

    @Inject
    TeamAccess access;

    @Inject
    Transactions transactions;

    @Inject
    RecentMemberships recent;

    /** The payer of a call that spends (a charge, a hold, a chat call): any active member may. */
    public Payer payer(String account) {
        return payer(account, TeamRole.MEMBER, "Spending from the pool");
    }

    /** The payer of a purchase: only the pool's owner buys credits for it. */
    public Payer buyer(String account) {
        return payer(account, TeamRole.OWNER, "Buying credits for the pool");
    }

    /**
     * The account of a call that settles or releases a hold, or reads the pool: named as for a
     * charge, but a member removed since may still finish what they started; the ledger answers
     * only holds the caller placed on a pool.
     */
    public Payer holder(String account) {
        if (account == null || account.isBlank()) {
            return Payer.self(user.id());
        }
        return new Payer(Payer.TEAM_ACCOUNT_PREFIX + teamId(account), user.id());
    }

    private Payer payer(String account, TeamRole needed, String what) {
        if (account == null || account.isBlank()) {
            return Payer.self(user.id());
        }
        UUID teamId = teamId(account);
        if (needed == TeamRole.MEMBER && recent.isRecentMember(teamId, user.id())) {
            return new Payer(Payer.TEAM_ACCOUNT_PREFIX + teamId, user.id());
        }
        TeamAccess.Standing standing = transactions.inNewTransaction(() -> access.standing(teamId));
        if (standing.role() == null) {
            // An admin who is not a member does not spend from the pool.
            throw LedgerRuleException.notAMember();
        }
        if (!standing.allows(needed)) {
            throw TeamProblem.roleRequired(needed, standing.role(), what);
        }
        recent.remember(teamId, user.id());
        return new Payer(standing.team().accountId(), user.id());
    }

    private static UUID teamId(String account) {
        String value = account.strip();
        if (!value.startsWith(Payer.TEAM_ACCOUNT_PREFIX)) {
            throw new InvalidRequestException(ACCOUNT_HEADER + ": names a team pool as team:<team id>, or is absent");
        }
        try {
            return UUID.fromString(value.substring(Payer.TEAM_ACCOUNT_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ACCOUNT_HEADER + ": names a team pool as team:<team id>, or is absent");
        }
    }
}
