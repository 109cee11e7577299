package dev.tollgate.ledger;

import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/**
 * What each member of a team pool spends from it in the pool's period, against their optional cap:
 * {@code spent} (charges and settled calls) plus {@code held} (live holds) never exceeds the cap
 * when a charge or hold is accepted. A charge or hold counts in the pool's own statement
 * ({@link #TAKE_IN_CHANGE}); a settle or release resolves the hold right after it. Either way every
 * transaction locks a pool's row before a member's, so that a batch of charges on the pool and a
 * member's hold never wait for each other in opposite orders. When the statement's take was
 * refused, {@link #charge} or {@link #hold} runs it again on its own to tell why: a refusal throws,
 * and the transaction (or the charge's savepoint) rolls back the pool's change with it.
 *
 * <p>A member's spending belongs to the pool's period: a row whose period is older than the pool's
 * starts again from zero at its next change. What a settle charges is counted whatever the cap (the
 * provider billed it; the hold was within the cap), and also for a member removed since the hold.
 */
@ApplicationScoped
public class MemberSpending {

    /** The spending of the member's row as of the pool's period (older periods count as zero). */
    private static final String SPENT_THIS_PERIOD =
            "(CASE WHEN tm.period_start < a.period_start THEN 0 ELSE tm.spent_millicredits END)";

    /** Parameters: spend, hold, account, member, spend, hold. */
    static final String TAKE = """
            UPDATE team_member tm
               SET spent_millicredits = %1$s + ?, held_millicredits = tm.held_millicredits + ?,
                   period_start = GREATEST(tm.period_start, a.period_start)
              FROM credit_account a
             WHERE tm.account_id = ? AND tm.user_id = ? AND a.user_id = tm.account_id AND tm.removed_at IS NULL
               AND (tm.cap_millicredits IS NULL OR %1$s + tm.held_millicredits + ? + ? <= tm.cap_millicredits)""".formatted(SPENT_THIS_PERIOD);

    /**
     * {@link #TAKE} as a part of the pool's balance change ({@link BalanceChange#sqlCountingMember}):
     * what the change spends and holds ({@code fin.spend}, {@code fin.reserved_add}), against the
     * pool's period as its locked row has it ({@code fin.ps}), only if the change applied
     * ({@code upd}). Parameter: member.
     */
    static final String TAKE_IN_CHANGE = """
            UPDATE team_member tm
               SET spent_millicredits = %1$s + fin.spend, held_millicredits = tm.held_millicredits + fin.reserved_add,
                   period_start = GREATEST(tm.period_start, fin.ps)
              FROM fin JOIN upd ON upd.user_id = fin.user_id
             WHERE tm.account_id = fin.user_id AND tm.user_id = ? AND tm.removed_at IS NULL
               AND (tm.cap_millicredits IS NULL
                    OR %1$s + tm.held_millicredits + fin.spend + fin.reserved_add <= tm.cap_millicredits)
            RETURNING tm.user_id""".formatted("(CASE WHEN tm.period_start < fin.ps THEN 0 ELSE tm.spent_millicredits END)");

    /** Parameters: charged, held, account, member. */
    static final String RESOLVE = """
            UPDATE team_member tm
               SET spent_millicredits = %s + ?, held_millicredits = tm.held_millicredits - ?,
                   period_start = GREATEST(tm.period_start, a.period_start)
              FROM credit_account a
             WHERE tm.account_id = ? AND tm.user_id = ? AND a.user_id = tm.account_id""".formatted(SPENT_THIS_PERIOD);

    private static final String STATE = """
            SELECT tm.cap_millicredits, %s AS spent, tm.held_millicredits, tm.removed_at IS NULL AS active
              FROM team_member tm JOIN credit_account a ON a.user_id = tm.account_id
             WHERE tm.account_id = ? AND tm.user_id = ?""".formatted(SPENT_THIS_PERIOD);

    @Inject
    DataSource dataSource;

    /** Counts a charge of {@code amount} against the member's cap, after the pool's change; refuses if it would pass it. */
    void charge(String accountId, String memberId, long amount) {
        take(accountId, memberId, amount, 0);
    }

    /** Counts a hold of {@code amount} against the member's cap, after the pool's change; refuses if it would pass it. */
    void hold(String accountId, String memberId, long amount) {
        take(accountId, memberId, 0, amount);
    }

    /** A member's hold resolved: {@code held} is freed and {@code charged} (0 for a release) is spent. */
    void resolve(String accountId, String memberId, long held, long charged) {
        int changed = Rows.update(dataSource, "resolve member hold", RESOLVE, (c, ps) -> {
            ps.setLong(1, charged);
            ps.setLong(2, held);
            ps.setString(3, accountId);
            ps.setString(4, memberId);
        });
        if (changed != 1) {
            throw new IllegalStateException("the member row of a hold is gone: " + accountId + " " + memberId);
        }
    }

    /** What the member's cap leaves them this period ({@link Long#MAX_VALUE} without a cap); 403 if they are not a member. */
    long capLeft(String accountId, String memberId) {
        State state = state(accountId, memberId).filter(State::active).orElseThrow(LedgerRuleException::notAMember);
        return state.cap() == null ? Long.MAX_VALUE : Math.max(0, state.cap() - state.spent() - state.held());
    }

    /**
     * Applies the take; when it is refused, the member's row tells why. A cap changed between the
     * two reads (raised or removed) leaves a refusal that no longer holds: the take is tried again.
     */
    private void take(String accountId, String memberId, long spend, long hold) {
        for (int attempt = 1;; attempt++) {
            int changed = Rows.update(dataSource, "count member spending", TAKE, (c, ps) -> {
                ps.setLong(1, spend);
                ps.setLong(2, hold);
                ps.setString(3, accountId);
                ps.setString(4, memberId);
                ps.setLong(5, spend);
                ps.setLong(6, hold);
            });
            if (changed == 1) {
                return;
            }
            State state = state(accountId, memberId).filter(State::active).orElseThrow(LedgerRuleException::notAMember);
            boolean overCap = state.cap() != null && state.spent() + state.held() + spend + hold > state.cap();
            if (overCap) {
                throw new MemberCapReachedException(accountId, state.cap(), state.spent(), state.held(), spend + hold);
            }
            if (attempt == MAX_TAKES) {
                throw new IllegalStateException("member " + memberId + " of " + accountId + ": the cap kept changing");
            }
        }
    }

    /** How often a take is tried while concurrent cap changes overturn its refusals. */
    static final int MAX_TAKES = 5;

    /** A member's row as of the pool's period. */
    private record State(Long cap, long spent, long held, boolean active) {
    }

    private Optional<State> state(String accountId, String memberId) {
        return Rows.query(dataSource, "read member spending", STATE, (c, ps) -> {
            ps.setString(1, accountId);
            ps.setString(2, memberId);
        }, rs -> new State(Jdbc.getNullableLong(rs, "cap_millicredits"), rs.getLong("spent"),
                rs.getLong("held_millicredits"), rs.getBoolean("active"))).stream().findFirst();
    }
}
