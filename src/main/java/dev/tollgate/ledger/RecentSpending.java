package dev.tollgate.ledger;

import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/**
 * What accounts spent lately, net of refunds, read from the ledger: the credits that CHARGE and
 * SETTLE entries took from the spendable buckets minus those REFUND entries gave back (a hold
 * moves nothing spendable until its settle). Each sum reads the entries of one account through
 * the index on {@code (user_id, created_at, id)}.
 */
@ApplicationScoped
public class RecentSpending {

    /** Net spent: the negated sum of the spendable deltas; NULL when the account has no such entry. */
    private static final String NET_SPENT = "-SUM(" + LedgerEntry.SPENDABLE_DELTA_SQL + ")";
    private static final String SPENDING_OPERATIONS = "operation IN ('CHARGE', 'SETTLE', 'REFUND')";
    private static final String OF_ACCOUNT = """
            SELECT %s FROM credit_audit_log
             WHERE user_id = ? AND created_at >= ? AND %s""".formatted(NET_SPENT, SPENDING_OPERATIONS);
    private static final String SPENDERS = """
            SELECT a.user_id, s.spent FROM credit_account a
             CROSS JOIN LATERAL (
                   SELECT %s AS spent FROM credit_audit_log l
                    WHERE l.user_id = a.user_id AND l.created_at >= ? AND l.%s) s
             WHERE a.user_id > ? AND s.spent IS NOT NULL
             ORDER BY a.user_id LIMIT ?""".formatted(NET_SPENT, SPENDING_OPERATIONS);

    @Inject
    DataSource dataSource;

    /** An account with spending entries since the window's start, and what they spent net (may be 0 or less). */
    public record Spender(String userId, long netSpentMillicredits) {
    }

    /** What the account spent since {@code since}, net of refunds (0 without spending entries; less after refunds of older charges). */
    public long netSpentSince(String userId, Instant since) {
        return Rows.one(dataSource, "read recent spending", OF_ACCOUNT, (c, ps) -> {
            ps.setString(1, userId);
            Jdbc.setTime(ps, 2, since);
        }, rs -> rs.getLong(1)); // NULL reads as 0
    }

    /**
     * The next {@code limit} accounts, in user id order after {@code afterUserId} (empty string:
     * from the first), that have spending entries since {@code since}, with what they spent net:
     * one page of a keyset walk over the accounts.
     */
    public List<Spender> spendersAfter(String afterUserId, Instant since, int limit) {
        return Rows.query(dataSource, "find recent spenders", SPENDERS, (c, ps) -> {
            Jdbc.setTime(ps, 1, since);
            ps.setString(2, afterUserId);
            ps.setInt(3, limit);
        }, rs -> new Spender(rs.getString(1), rs.getLong(2)));
    }
}
