package dev.tollgate.ratelimit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import dev.tollgate.platform.jdbc.NamedStatement;

/**
 * Allowances in PostgreSQL, shared by every instance on the database. A check is one statement on
 * the caller's {@code rate_limit_bucket} row — insert it, or update it under its row lock — so
 * that concurrent checks of one caller, from any instance, are serialized by PostgreSQL and
 * together never admit more than the quota. Time is the database's clock, the same for all
 * instances. It runs in autocommit: no transaction of the caller is held open around it.
 */
public class PostgresRateLimitStore implements RateLimitStore {

    /**
     * GCRA in one statement. Parameters: key, interval, interval, period, interval, interval, period.
     * {@code now} is {@code EXCLUDED.checked_micros}; the SET expressions read the row as it was
     * before this statement. A refused check leaves {@code tat_micros} as it was.
     */
    static final String ACQUIRE = """
            INSERT INTO rate_limit_bucket AS b (bucket_key, tat_micros, checked_micros, admitted)
            SELECT ?, clock.now_micros + ?, clock.now_micros, true
              FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_micros) clock
            ON CONFLICT (bucket_key) DO UPDATE SET
                tat_micros = CASE
                    WHEN GREATEST(b.tat_micros, EXCLUDED.checked_micros) + ? - EXCLUDED.checked_micros <= ?
                    THEN GREATEST(b.tat_micros, EXCLUDED.checked_micros) + ?
                    ELSE b.tat_micros END,
                admitted = GREATEST(b.tat_micros, EXCLUDED.checked_micros) + ? - EXCLUDED.checked_micros <= ?,
                checked_micros = EXCLUDED.checked_micros
            RETURNING tat_micros, checked_micros, admitted""";

    static final String PURGE = """
            DELETE FROM rate_limit_bucket WHERE bucket_key IN (
                SELECT bucket_key FROM rate_limit_bucket
                 WHERE tat_micros < (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
                 LIMIT ? FOR UPDATE SKIP LOCKED)""";

    private final DataSource dataSource;

    /** {@link #ACQUIRE} with what {@link #acquire} binds, in order: the seam of the benchmark's pgbench scripts. */
    public static NamedStatement acquireStatement() {
        return new NamedStatement(ACQUIRE, List.of("bucket_key", "interval", "interval", "period", "interval", "interval",
                "period"));
    }

    public PostgresRateLimitStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Decision acquire(Tier tier, String bucketKey, Quota quota) {
        long interval = quota.intervalMicros();
        long period = quota.periodMicros();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement ps = connection.prepareStatement(ACQUIRE)) {
            // In the order acquireStatement names.
            ps.setString(1, bucketKey);
            ps.setLong(2, interval);
            ps.setLong(3, interval);
            ps.setLong(4, period);
            ps.setLong(5, interval);
            ps.setLong(6, interval);
            ps.setLong(7, period);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the rate-limit upsert returned no row");
                }
                return Decision.of(tier, rs.getBoolean("admitted"), rs.getLong("tat_micros"), rs.getLong("checked_micros"),
                        quota);
            }
        } catch (SQLException e) {
            throw new RateLimitStoreException(e);
        }
    }

    @Override
    public long purge(int maxRows) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement ps = connection.prepareStatement(PURGE)) {
            ps.setInt(1, maxRows);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new RateLimitStoreException(e);
        }
    }
}
