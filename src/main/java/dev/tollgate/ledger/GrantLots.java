package dev.tollgate.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/**
 * The lots of the granted bucket, as {@link Ledger} changes them: always right after a balance
 * change of the same account in the same transaction, so under that account's row lock, and
 * reading what the last commit left (each statement of a READ COMMITTED transaction sees it).
 * Every change of a lot's remainder is a movement row naming the ledger entry that caused it.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class GrantLots {

    /**
     * Takes {@code amount} from the lots in burn order: lots already due first (the only credits
     * they still hold back live holds, which settle from them), then by priority, soonest expiry,
     * and age. Answers what it took.
     */
    static final String SPEND = """
            WITH lot AS (
                SELECT id, remaining,
                       SUM(remaining) OVER (ORDER BY expires_at <= ? DESC, priority, expires_at, granted_at, id) AS upto
                  FROM credit_grant_lot WHERE user_id = ? AND remaining > 0),
            take AS (SELECT id, LEAST(remaining, GREATEST(0, ? - (upto - remaining))) AS amount FROM lot),
            spent AS (
                UPDATE credit_grant_lot l SET remaining = l.remaining - take.amount
                  FROM take WHERE l.id = take.id AND take.amount > 0
                RETURNING l.id, take.amount)
            INSERT INTO credit_grant_movement (entry_id, lot_id, delta)
            SELECT ?, id, -amount FROM spent
            RETURNING -delta""";

    private static final String INSERT = """
            WITH lot AS (
                INSERT INTO credit_grant_lot (id, user_id, priority, granted, remaining, expires_at, source, reason,
                       entry_id, granted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING user_id, expires_at)
            UPDATE credit_account a SET grants_expire_at = LEAST(COALESCE(a.grants_expire_at, lot.expires_at), lot.expires_at)
              FROM lot WHERE a.user_id = lot.user_id""";

    private static final String GIVE_BACK = """
            WITH lot AS (
                UPDATE credit_grant_lot SET remaining = remaining + ? WHERE id = ? AND user_id = ?
                RETURNING user_id, expires_at),
            moved AS (INSERT INTO credit_grant_movement (entry_id, lot_id, delta) VALUES (?, ?, ?))
            UPDATE credit_account a SET grants_expire_at = LEAST(COALESCE(a.grants_expire_at, lot.expires_at), lot.expires_at)
              FROM lot WHERE a.user_id = lot.user_id""";

    private static final String FORFEIT = """
            INSERT INTO credit_grant_movement (entry_id, lot_id, delta, forfeited) VALUES (?, ?, ?, true)""";

    private static final String EXPIRE = """
            WITH lot AS (
                UPDATE credit_grant_lot SET remaining = remaining - ?,
                       expired_at = CASE WHEN remaining = ? THEN CAST(? AS timestamptz) ELSE expired_at END
                 WHERE id = ? AND remaining >= ?
                RETURNING id)
            INSERT INTO credit_grant_movement (entry_id, lot_id, delta) SELECT ?, id, ? FROM lot""";

    private static final String DUE = """
            SELECT id, remaining, expires_at FROM credit_grant_lot
             WHERE user_id = ? AND remaining > 0 AND expires_at <= ?
             ORDER BY expires_at, id""";

    private static final String RECOMPUTE_EXPIRY = """
            UPDATE credit_account SET grants_expire_at =
                   (SELECT MIN(expires_at) FROM credit_grant_lot WHERE user_id = ? AND remaining > 0)
             WHERE user_id = ?""";

    /**
     * Per lot a call took credits from: what it took, and what its refunds gave back or forfeited
     * so far; the lots that gave last come first (the reverse of the burn order).
     */
    private static final String TAKEN_BY_CALL = """
            SELECT l.id, l.expires_at,
                   COALESCE(-SUM(mv.delta) FILTER (WHERE e.operation IN ('CHARGE', 'SETTLE')), 0) AS taken,
                   COALESCE(SUM(mv.delta) FILTER (WHERE e.operation = 'REFUND'), 0) AS given_back
              FROM credit_audit_log e
              JOIN credit_grant_movement mv ON mv.entry_id = e.id
              JOIN credit_grant_lot l ON l.id = mv.lot_id
             WHERE e.user_id = ? AND e.usage_id = ?
             GROUP BY l.id, l.expires_at, l.priority, l.granted_at
             ORDER BY l.priority DESC, l.expires_at DESC, l.granted_at DESC, l.id DESC""";

    @Inject
    DataSource dataSource;

    /** A lot that is due: its remainder, and when it expired. */
    record DueLot(UUID id, long remaining, Instant expiresAt) {
    }

    /** What a call took from one lot, what its refunds gave back (or forfeited) of it, and its expiry. */
    record CallShare(UUID lotId, Instant expiresAt, long taken, long givenBack) {
        long refundable() {
            return taken - givenBack;
        }
    }

    /** Inserts the lot a GRANT entry created, and moves the account's next expiry forward if it is sooner. */
    void insert(UUID id, String userId, int priority, long amount, Instant expiresAt, String source, String reason,
            long entryId, Instant grantedAt) {
        Rows.update(dataSource, "insert grant lot", INSERT, (c, ps) -> {
            Jdbc.setNullableUuid(ps, 1, id);
            ps.setString(2, userId);
            ps.setInt(3, priority);
            ps.setLong(4, amount);
            ps.setLong(5, amount);
            Jdbc.setTime(ps, 6, expiresAt);
            ps.setString(7, source);
            ps.setString(8, reason);
            ps.setLong(9, entryId);
            Jdbc.setTime(ps, 10, grantedAt);
        });
    }

    /**
     * Takes what an entry spent from the granted bucket from the lots, in burn order; answers the
     * total taken. Bound in the order {@link LedgerStatements#grantSpend} names.
     */
    long spend(LedgerEntry entry, Instant now) {
        long amount = -entry.grantedDelta();
        long taken = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SPEND)) {
            Jdbc.setTime(ps, 1, now);
            ps.setString(2, entry.userId());
            ps.setLong(3, amount);
            ps.setLong(4, entry.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    taken += rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("spend grant lots", e);
        }
        return taken;
    }

    /** Gives a refund's share back to a lot that has not expired. */
    void giveBack(LedgerEntry refund, UUID lotId, long amount) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(GIVE_BACK)) {
            ps.setLong(1, amount);
            Jdbc.setNullableUuid(ps, 2, lotId);
            ps.setString(3, refund.userId());
            ps.setLong(4, refund.id());
            Jdbc.setNullableUuid(ps, 5, lotId);
            ps.setLong(6, amount);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("grant lot " + lotId + " not found for its refund");
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("give back to grant lot", e);
        }
    }

    /** Records a refund's share of a lot that has expired: it does not come back. */
    void forfeit(LedgerEntry refund, UUID lotId, long amount) {
        Rows.update(dataSource, "forfeit refund share", FORFEIT, (c, ps) -> {
            ps.setLong(1, refund.id());
            Jdbc.setNullableUuid(ps, 2, lotId);
            ps.setLong(3, amount);
        });
    }

    /** Takes what a GRANT_EXPIRY entry removed from its lot; the lot is expired once nothing is left. */
    void expire(LedgerEntry expiry, UUID lotId, long taken, long remaining, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(EXPIRE)) {
            ps.setLong(1, taken);
            ps.setLong(2, taken);
            Jdbc.setTime(ps, 3, now);
            Jdbc.setNullableUuid(ps, 4, lotId);
            ps.setLong(5, taken);
            ps.setLong(6, expiry.id());
            ps.setLong(7, -taken);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("grant lot " + lotId + " holds less than its expiry took");
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("expire grant lot", e);
        }
    }

    /** The lots of an account that are due and still hold credits, soonest first. */
    List<DueLot> due(String userId, Instant now) {
        return Rows.query(dataSource, "read due grant lots", DUE, (c, ps) -> {
            ps.setString(1, userId);
            Jdbc.setTime(ps, 2, now);
        }, rs -> new DueLot(rs.getObject(1, UUID.class), rs.getLong(2), Jdbc.getTime(rs, "expires_at")));
    }

    /** Sets the account's next expiry to the earliest of the lots that still hold credits. */
    void recomputeExpiry(String userId) {
        Rows.update(dataSource, "recompute grant expiry", RECOMPUTE_EXPIRY, (c, ps) -> {
            ps.setString(1, userId);
            ps.setString(2, userId);
        });
    }

    /** The lots a call took credits from, with what its refunds settled of each so far. */
    List<CallShare> takenByCall(String userId, long usageId) {
        return Rows.query(dataSource, "read grant shares of call", TAKEN_BY_CALL, (c, ps) -> {
            ps.setString(1, userId);
            ps.setLong(2, usageId);
        }, rs -> new CallShare(rs.getObject(1, UUID.class), Jdbc.getTime(rs, "expires_at"),
                rs.getLong("taken"), rs.getLong("given_back")));
    }
}
