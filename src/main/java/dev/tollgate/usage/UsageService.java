package dev.tollgate.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/**
 * Reports a user's metered calls over a range of days, live and archived rows alike: totals and
 * the breakdowns in one grouping-sets query, then one page of the calls, newest first.
 */
@ApplicationScoped
public class UsageService {

    private static final String CALLS = """
            SELECT id, request_id, model, character_id, conversation_id, input_tokens, cached_input_tokens,
                   cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
                   reservation_id, created_at
              FROM token_usage WHERE user_id = ? AND created_at >= ? AND created_at < ?
            UNION ALL
            SELECT id, request_id, model, character_id, conversation_id, input_tokens, cached_input_tokens,
                   cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
                   reservation_id, created_at
              FROM token_usage_archive WHERE user_id = ? AND created_at >= ? AND created_at < ?""";

    private static final String SUMS = """
            SELECT GROUPING(day) AS g_day, GROUPING(model) AS g_model, GROUPING(character_id) AS g_character,
                   day, model, character_id, COUNT(*) AS calls,
                   SUM(input_tokens) AS input_tokens, SUM(cached_input_tokens) AS cached_input_tokens,
                   SUM(cache_write_tokens) AS cache_write_tokens, SUM(output_tokens) AS output_tokens,
                   SUM(reasoning_tokens) AS reasoning_tokens, SUM(total_tokens) AS total_tokens,
                   SUM(cost_millicredits) AS cost_millicredits
              FROM (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, * FROM (%s) calls) t
             GROUP BY GROUPING SETS ((), (day), (model), (character_id))
             ORDER BY day, model, character_id NULLS FIRST""".formatted(CALLS);

    private static final String PAGE = CALLS + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    /** Read in a transaction of its own, so that a dead pooled connection is retried like a write. */
    public UsageReport report(String userId, UsageQuery query) {
        return transactions.inNewTransaction(() -> read(userId, query));
    }

    private UsageReport read(String userId, UsageQuery query) {
        Instant start = query.from().atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = query.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        try (Connection c = dataSource.getConnection()) {
            UsageReport.Totals totals = emptyTotals();
            List<UsageReport.Group> byDay = new ArrayList<>();
            List<UsageReport.Group> byModel = new ArrayList<>();
            List<UsageReport.Group> byCharacter = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SUMS)) {
                bindRange(ps, 1, userId, start, end);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        UsageReport.Totals sums = totals(rs);
                        if (rs.getInt("g_day") == 0) {
                            byDay.add(new UsageReport.Group(rs.getString("day"), sums));
                        } else if (rs.getInt("g_model") == 0) {
                            byModel.add(new UsageReport.Group(rs.getString("model"), sums));
                        } else if (rs.getInt("g_character") == 0) {
                            byCharacter.add(new UsageReport.Group(rs.getString("character_id"), sums));
                        } else {
                            totals = sums;
                        }
                    }
                }
            }
            List<UsageReport.Call> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(PAGE)) {
                bindRange(ps, 1, userId, start, end);
                ps.setInt(7, query.size());
                ps.setLong(8, (long) query.page() * query.size());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(call(rs));
                    }
                }
            }
            return new UsageReport(query.from(), query.to(), totals,
                    query.breakdowns().contains(UsageQuery.Breakdown.DAY) ? byDay : null,
                    query.breakdowns().contains(UsageQuery.Breakdown.MODEL) ? byModel : null,
                    query.breakdowns().contains(UsageQuery.Breakdown.CHARACTER) ? byCharacter : null,
                    new UsageReport.CallPage(query.page(), query.size(), totals.calls(), items));
        } catch (SQLException e) {
            throw DatabaseFailure.of("usage report", e);
        }
    }

    private static void bindRange(PreparedStatement ps, int first, String userId, Instant start, Instant end)
            throws SQLException {
        for (int offset = 0; offset < 6; offset += 3) {
            ps.setString(first + offset, userId);
            Jdbc.setTime(ps, first + offset + 1, start);
            Jdbc.setTime(ps, first + offset + 2, end);
        }
    }

    private static UsageReport.Totals totals(ResultSet rs) throws SQLException {
        long cost = rs.getLong("cost_millicredits");
        return new UsageReport.Totals(rs.getLong("calls"), rs.getLong("input_tokens"), rs.getLong("cached_input_tokens"),
                rs.getLong("cache_write_tokens"), rs.getLong("output_tokens"), rs.getLong("reasoning_tokens"),
                rs.getLong("total_tokens"), cost, Millicredits.of(cost).credits());
    }

    private static UsageReport.Totals emptyTotals() {
        return new UsageReport.Totals(0, 0, 0, 0, 0, 0, 0, 0, Millicredits.ZERO.credits());
    }

    private static UsageReport.Call call(ResultSet rs) throws SQLException {
        long cost = rs.getLong("cost_millicredits");
        return new UsageReport.Call(rs.getLong("id"), rs.getString("request_id"), rs.getString("model"),
                rs.getString("character_id"), rs.getString("conversation_id"), rs.getLong("input_tokens"),
                rs.getLong("cached_input_tokens"), rs.getLong("cache_write_tokens"), rs.getLong("output_tokens"),
                rs.getLong("reasoning_tokens"), rs.getLong("total_tokens"), cost, Millicredits.of(cost).credits(),
                rs.getBoolean("estimated"), rs.getObject("reservation_id", UUID.class), Jdbc.getTime(rs, "created_at"));
    }
}
