package dev.tollgate.team;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.membership.TeamAccess;
import dev.tollgate.membership.TeamProblem;
import dev.tollgate.membership.TeamRole;
import dev.tollgate.membership.TeamStore;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.tx.Transactions;

/**
 * What a team's members may read of its pool: the balance and every member's spending, and the
 * usage by member (owners and managers), or a member's own spending and what their cap leaves.
 */
@ApplicationScoped
public class TeamReading {

    private static final String USAGE_BY_MEMBER = """
            SELECT member_id, COUNT(*) AS calls, COALESCE(SUM(cost_millicredits), 0) AS cost,
                   COALESCE(SUM(total_tokens), 0) AS tokens
              FROM (SELECT member_id, cost_millicredits, total_tokens FROM token_usage
                     WHERE user_id = ? AND created_at >= ? AND created_at < ?
                    UNION ALL
                    SELECT member_id, cost_millicredits, total_tokens FROM token_usage_archive
                     WHERE user_id = ? AND created_at >= ? AND created_at < ?) u
             GROUP BY member_id ORDER BY cost DESC, member_id""";

    @Inject
    TeamAccess access;

    @Inject
    TeamStore store;

    @Inject
    Ledger ledger;

    @Inject
    Transactions transactions;

    @Inject
    DataSource dataSource;

    /** The pool's balance with every member's spending this period: for owners and managers (and admins). */
    public TeamViews.Balance balance(UUID teamId) {
        return transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = managerOrAdmin(teamId, "Reading the team's balance");
            String account = standing.team().accountId();
            CreditAccount pool = ledger.ensureAccount(account);
            List<TeamViews.Member> members = store.activeMembers(account).stream().map(TeamViews.Member::of).toList();
            return new TeamViews.Balance(teamId, account, pool.plan, pool.periodStart, BalanceSnapshot.of(pool.balances()),
                    members);
        });
    }

    /** The caller's own spending from the pool this period, and what their cap leaves. */
    public TeamViews.Member me(UUID teamId) {
        return transactions.inNewTransaction(() -> {
            TeamAccess.Standing standing = access.standing(teamId);
            return store.member(standing.team().accountId(), access.userId()).filter(TeamStore.Member::active)
                    .map(TeamViews.Member::of)
                    .orElseThrow(LedgerRuleException::notAMember);
        });
    }

    /** What each member's calls on the pool cost in [from, to): for owners and managers (and admins). */
    public TeamViews.Usage usage(UUID teamId, Instant from, Instant to) {
        return transactions.inNewTransaction(() -> {
            String account = managerOrAdmin(teamId, "Reading the team's usage").team().accountId();
            List<TeamViews.MemberUsage> members = Rows.query(dataSource, "read team usage", USAGE_BY_MEMBER, (c, ps) -> {
                for (int half = 0; half < 2; half++) {
                    ps.setString(1 + 3 * half, account);
                    Jdbc.setTime(ps, 2 + 3 * half, from);
                    Jdbc.setTime(ps, 3 + 3 * half, to);
                }
            }, rs -> new TeamViews.MemberUsage(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
            return new TeamViews.Usage(teamId, from, to,
                    members.stream().mapToLong(TeamViews.MemberUsage::costMillicredits).sum(),
                    members.stream().mapToLong(TeamViews.MemberUsage::calls).sum(), members);
        });
    }

    private TeamAccess.Standing managerOrAdmin(UUID teamId, String what) {
        TeamAccess.Standing standing = access.standing(teamId);
        if (!standing.allows(TeamRole.MANAGER) && !standing.admin()) {
            throw TeamProblem.roleRequired(TeamRole.MANAGER, standing.role(), what);
        }
        return standing;
    }
}
