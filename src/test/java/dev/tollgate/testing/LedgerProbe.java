package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads an account and its ledger straight from the database, for the checks every money test
 * ends with: the buckets equal the sums of the audit rows, and no audited point is negative.
 */
public final class LedgerProbe {

    private LedgerProbe() {
    }

    /** The checks every money test ends with: the buckets equal the sums of the audit rows, and no audited point is negative. */
    public static void assertBalanced(String userId) {
        assertThat(ledgerSums(userId)).containsExactly(buckets(userId));
        assertThat(negativePoints(userId)).isZero();
    }

    /** The buckets of an account (monthly, purchased, reserved), or {@code null} if it has none; granted: {@link #lotViolations}. */
    public static long[] buckets(String userId) {
        return row("SELECT monthly_millicredits, purchased_millicredits, reserved_millicredits FROM credit_account WHERE user_id = ?",
                userId, 3);
    }

    /** The sums of the audit rows of an account, per bucket (as {@link #buckets}). */
    public static long[] ledgerSums(String userId) {
        return row("SELECT COALESCE(SUM(monthly_delta), 0), COALESCE(SUM(purchased_delta), 0), COALESCE(SUM(reserved_delta), 0) FROM credit_audit_log WHERE user_id = ?",
                userId, 3);
    }

    /** The granted bucket of an account. */
    public static long granted(String userId) {
        return count("SELECT granted_millicredits FROM credit_account WHERE user_id = ?", userId);
    }

    /** Audit rows after which a bucket or the available balance was negative (must be 0). */
    public static long negativePoints(String userId) {
        return count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation NOT IN ('PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST') AND (monthly_after < 0 OR purchased_after < 0 OR reserved_after < 0 OR granted_after < 0 OR monthly_after + granted_after + purchased_after - reserved_after < 0)",
                userId);
    }

    /**
     * Broken invariants of the granted bucket of an account (must be 0): the bucket not equal to the
     * sum of its ledger deltas, or to the sum of the lots' remainders, and a lot whose remainder is
     * not what it was granted plus its movements.
     */
    public static long lotViolations(String userId) {
        return count("""
                SELECT (SELECT COUNT(*) FROM credit_account a WHERE a.user_id = u.id AND a.granted_millicredits
                            <> (SELECT COALESCE(SUM(granted_delta), 0) FROM credit_audit_log WHERE user_id = u.id))
                     + (SELECT COUNT(*) FROM credit_account a WHERE a.user_id = u.id AND a.granted_millicredits
                            <> (SELECT COALESCE(SUM(remaining), 0) FROM credit_grant_lot WHERE user_id = u.id))
                     + (SELECT COUNT(*) FROM credit_grant_lot l WHERE l.user_id = u.id AND l.remaining <> l.granted
                            + (SELECT COALESCE(SUM(delta), 0) FROM credit_grant_movement m WHERE m.lot_id = l.id AND NOT m.forfeited))
                  FROM (SELECT CAST(? AS text) AS id) u""", userId);
    }

    public static long auditRows(String userId) {
        return count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ?", userId);
    }

    public static long usageRows(String userId) {
        return count("SELECT COUNT(*) FROM token_usage WHERE user_id = ?", userId);
    }

    /** Rows of every table that belong to the user: a fingerprint that "nothing changed" compares. */
    public static String snapshot(String userId) {
        long[] buckets = buckets(userId);
        return (buckets == null ? "no account" : buckets[0] + "/" + buckets[1] + "/" + buckets[2] + "/" + granted(userId)
                + " lots=" + count("SELECT COUNT(*) FROM credit_grant_lot WHERE user_id = ?", userId))
                + " audit=" + auditRows(userId) + " usage=" + usageRows(userId)
                + " holds=" + count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ?", userId);
    }

    /** A price for the model in force since yesterday: input and output 1,000 credits per 1M tokens. */
    public static void seedPrice(String model) {
        execute("""
                INSERT INTO model_pricing (model, input_credits_per_million, cached_input_credits_per_million,
                       cache_write_credits_per_million, output_credits_per_million, effective_from)
                VALUES (?, 1000, 0, 1000, 1000, now() - interval '1 day')""", model);
    }

    /** The prefix of request ids whose usage rows the database refuses while a failure is injected. */
    public static final String FAILING_REQUEST_PREFIX = "fail-settle-";

    /**
     * Makes the database refuse, from now until {@link #removeUsageFailure()}, every usage row whose
     * request id starts with {@link #FAILING_REQUEST_PREFIX}: a settle fails at that very moment.
     */
    public static void injectUsageFailure() {
        execute("""
                CREATE OR REPLACE FUNCTION tollgate_test_fail_usage() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.request_id LIKE 'fail-settle-%' THEN RAISE EXCEPTION 'injected failure'; END IF;
                    RETURN NEW;
                END $$""");
        execute("CREATE TRIGGER tollgate_test_fail_usage BEFORE INSERT ON token_usage FOR EACH ROW EXECUTE FUNCTION tollgate_test_fail_usage()");
    }

    public static void removeUsageFailure() {
        execute("DROP TRIGGER IF EXISTS tollgate_test_fail_usage ON token_usage");
    }

    /**
     * Makes every insert of a compensation fail as a database that is starting up does (57P03, a
     * lost connection to the app) until {@link #acceptCompensations}.
     */
    public static void refuseCompensationsAsStartingUp() {
        execute("""
                CREATE OR REPLACE FUNCTION tollgate_test_db_starting() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the database system is starting up' USING ERRCODE = '57P03';
                END $$""");
        execute("CREATE TRIGGER tollgate_test_db_starting BEFORE INSERT ON credit_compensation "
                + "FOR EACH ROW EXECUTE FUNCTION tollgate_test_db_starting()");
    }

    /** Ends {@link #refuseCompensationsAsStartingUp}. */
    public static void acceptCompensations() {
        execute("DROP TRIGGER IF EXISTS tollgate_test_db_starting ON credit_compensation");
    }

    /**
     * Makes the release of a hold fail as a database that is starting up does (57P03, a lost
     * connection to the application), until {@link #acceptReleases}.
     */
    public static void refuseReleasesAsStartingUp() {
        refuseCompensationsAsStartingUp();
        acceptCompensations();
        execute("CREATE TRIGGER tollgate_test_release_starting BEFORE INSERT ON credit_audit_log "
                + "FOR EACH ROW WHEN (NEW.operation = 'RELEASE') EXECUTE FUNCTION tollgate_test_db_starting()");
    }

    /** Ends {@link #refuseReleasesAsStartingUp}. */
    public static void acceptReleases() {
        execute("DROP TRIGGER IF EXISTS tollgate_test_release_starting ON credit_audit_log");
    }

    public static void execute(String sql, Object... args) {
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long count(String sql, String userId) {
        return row(sql, userId, 1)[0];
    }

    /** The first column of the first row of a query with one parameter, as text; null if no row. */
    public static String text(String sql, String parameter) {
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[] row(String sql, String userId, int columns) {
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long[] values = new long[columns];
                for (int i = 0; i < columns; i++) {
                    values[i] = rs.getLong(i + 1);
                }
                return values;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
