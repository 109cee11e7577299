package dev.tollgate.archival;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.tollgate.testing.TestDatabase;

/**
 * The usage rows of the archival tests, read and written straight in the database: bulk rows of
 * users whose ids start with a prefix, and what the two tables hold of them.
 */
final class UsageTables {

    /** Every column the two tables share; a row's text in this order is its fingerprint. */
    static final String COLUMNS = """
            id, user_id, request_id, model, character_id, conversation_id, input_tokens, cached_input_tokens,
            cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
            pricing_id, reservation_id, created_at""";

    /**
     * Inserts rows in one statement. Parameters: user id prefix, number of users (user = prefix || g % users,
     * or the prefix itself for one user),
     * request id prefix, count, age of the newest row in days, spread of ages in seconds (row g is
     * {@code (g * 7919) % spread} seconds older than the newest).
     */
    private static final String INSERT = """
            INSERT INTO token_usage (user_id, request_id, model, character_id, conversation_id, input_tokens,
                   cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, total_tokens,
                   cost_millicredits, estimated, pricing_id, reservation_id, created_at)
            SELECT ? || CASE WHEN ?::int = 1 THEN '' ELSE (g % ?)::text END, ? || g, 'gpt-4o-mini', CASE WHEN g % 3 = 0 THEN NULL ELSE 'char-' || (g % 5) END,
                   'conv-' || (g % 7), g % 1000, g % 100, g % 10, g % 500, g % 50,
                   (g % 1000) + (g % 100) + (g % 10) + (g % 500) + (g % 50), g % 997, g % 2 = 0,
                   (SELECT id FROM model_pricing WHERE model = 'gpt-4o-mini' ORDER BY effective_from DESC LIMIT 1),
                   NULL, now() - make_interval(days => ?) - ((g::bigint * 7919) % ?) * interval '1 second'
              FROM generate_series(1, ?) g""";

    private UsageTables() {
    }

    /** Inserts {@code count} rows spread over {@code users} users ({@code userPrefix0..}, or {@code userPrefix} alone). */
    static void insert(String userPrefix, int users, String requestPrefix, int count, int newestAgeDays,
            long spreadSeconds) {
        execute(INSERT, userPrefix, users, users, requestPrefix, newestAgeDays, spreadSeconds, count);
    }

    /** Rows of users with this prefix: {live, archived}. */
    static long[] counts(String userPrefix) {
        return new long[] { count("SELECT COUNT(*) FROM token_usage WHERE user_id LIKE ? || '%'", userPrefix),
                count("SELECT COUNT(*) FROM token_usage_archive WHERE user_id LIKE ? || '%'", userPrefix) };
    }

    /** Ids of these users' rows that are in both tables (must be none). */
    static long inBothTables(String userPrefix) {
        return count("""
                SELECT COUNT(*) FROM token_usage t JOIN token_usage_archive a ON a.id = t.id
                 WHERE t.user_id LIKE ? || '%'""", userPrefix);
    }

    /**
     * The rows of these users in either table, every shared column: count and an order-independent
     * hash. Equal before and after an archival run when no row was lost, duplicated or changed.
     */
    static String fingerprint(String userPrefix) {
        return fingerprint(userPrefix, "");
    }

    /** The same, of the rows whose request ids start with {@code requestPrefix}. */
    static String fingerprint(String userPrefix, String requestPrefix) {
        List<List<Object>> rows = query("""
                SELECT COUNT(*), COALESCE(SUM(hashtextextended(r::text, 0)), 0)
                  FROM (SELECT %1$s FROM token_usage WHERE user_id LIKE ? || '%%' AND request_id LIKE ? || '%%'
                        UNION ALL
                        SELECT %1$s FROM token_usage_archive WHERE user_id LIKE ? || '%%' AND request_id LIKE ? || '%%') r"""
                .formatted(COLUMNS), userPrefix, requestPrefix, userPrefix, requestPrefix);
        return rows.get(0).get(0) + " rows, hash " + rows.get(0).get(1);
    }

    /** Per user of the prefix, over both tables: calls, cost and every token bucket. */
    static List<List<Object>> sumsPerUser(String userPrefix, String requestPrefix) {
        return query("""
                SELECT user_id, COUNT(*), SUM(cost_millicredits), SUM(input_tokens), SUM(cached_input_tokens),
                       SUM(cache_write_tokens), SUM(output_tokens), SUM(reasoning_tokens), SUM(total_tokens)
                  FROM (SELECT %1$s FROM token_usage WHERE user_id LIKE ? || '%%' AND request_id LIKE ? || '%%'
                        UNION ALL
                        SELECT %1$s FROM token_usage_archive WHERE user_id LIKE ? || '%%' AND request_id LIKE ? || '%%') r
                 GROUP BY user_id ORDER BY user_id""".formatted(COLUMNS), userPrefix, requestPrefix, userPrefix,
                requestPrefix);
    }

    /** Deletes the usage rows of these users whose request ids start with {@code requestPrefix}, in both tables. */
    static void delete(String userPrefix, String requestPrefix) {
        execute("DELETE FROM token_usage WHERE user_id LIKE ? || '%' AND request_id LIKE ? || '%'", userPrefix,
                requestPrefix);
        execute("DELETE FROM token_usage_archive WHERE user_id LIKE ? || '%' AND request_id LIKE ? || '%'", userPrefix,
                requestPrefix);
    }

    static long count(String sql, Object... args) {
        return ((Number) query(sql, args).get(0).get(0)).longValue();
    }

    static void execute(String sql, Object... args) {
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = prepare(c, sql, args)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<List<Object>> query(String sql, Object... args) {
        try (Connection c = TestDatabase.connect()) {
            return query(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<List<Object>> query(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<List<Object>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = rs.getObject(i);
                    // Sums are numeric: compare them as text, whatever their scale.
                    row.add(value instanceof java.math.BigDecimal d ? d.toPlainString() : value);
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
