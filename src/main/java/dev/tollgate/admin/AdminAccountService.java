package dev.tollgate.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
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
 * Reads one account for admins, never opening it: the account row, its latest ledger rows, its
 * live holds, shortfalls, compensations and purchases in one read-only REPEATABLE READ transaction, so that they show one moment (the
 * reserved bucket equals the sum of the live holds).
 */
@ApplicationScoped
public class AdminAccountService {

    static final int RECENT_ENTRIES = 20;
    static final int MAX_HOLDS = 100;
    static final int RECENT_SHORTFALLS = 20;
    static final int RECENT_COMPENSATIONS = 20;
    static final int RECENT_PURCHASES = 20;
    private static final String ACCOUNT = """
            SELECT plan, monthly_millicredits, held_over_millicredits, granted_millicredits, purchased_millicredits,
                   reserved_millicredits, period_start, created_at, updated_at
              FROM credit_account WHERE user_id = ?""";
    static final int RECENT_GRANTS = 20;
    private static final String GRANTS = """
            SELECT id, priority, granted, remaining, expires_at, source, reason, granted_at, expired_at
              FROM credit_grant_lot WHERE user_id = ?
             ORDER BY granted_at DESC, id DESC""" + " LIMIT " + RECENT_GRANTS;
    private static final String SHORTFALL_TOTALS = """
            SELECT COUNT(*), COALESCE(SUM(shortfall_millicredits), 0) FROM (
                SELECT shortfall_millicredits FROM token_usage WHERE user_id = ? AND shortfall_millicredits > 0
                UNION ALL
                SELECT shortfall_millicredits FROM token_usage_archive WHERE user_id = ? AND shortfall_millicredits > 0) s""";
    private static final String SHORTFALLS = """
            SELECT id, request_id, model, cost_millicredits, shortfall_millicredits, created_at FROM (
                SELECT id, request_id, model, cost_millicredits, shortfall_millicredits, created_at FROM token_usage
                 WHERE user_id = ? AND shortfall_millicredits > 0
                UNION ALL
                SELECT id, request_id, model, cost_millicredits, shortfall_millicredits, created_at FROM token_usage_archive
                 WHERE user_id = ? AND shortfall_millicredits > 0) s
             ORDER BY created_at DESC, id DESC""" + " LIMIT " + RECENT_SHORTFALLS;
    private static final String FAILED_COMPENSATION_TOTALS = """
            SELECT COUNT(*), COALESCE(SUM(amount_millicredits), 0) FROM credit_compensation
             WHERE user_id = ? AND status = 'FAILED'""";
    private static final String COMPENSATIONS = """
            SELECT id, kind, status, amount_millicredits, reason, last_error, attempts, reservation_id, usage_id,
                   created_at, updated_at
              FROM credit_compensation WHERE user_id = ? AND status <> 'APPLIED'
             ORDER BY created_at DESC, id DESC""" + " LIMIT " + RECENT_COMPENSATIONS;
    private static final String UNRECOVERED_PURCHASE_TOTALS = """
            SELECT COUNT(*), COALESCE(SUM(unrecovered_millicredits), 0) FROM credit_purchase
             WHERE user_id = ? AND unrecovered_millicredits > 0""";
    private static final String PURCHASES = """
            SELECT id, pack_id, origin, status, credits_millicredits, granted_millicredits, clawed_back_millicredits,
                   unrecovered_millicredits, flagged_reason, payment_intent_id, created_at
              FROM credit_purchase WHERE user_id = ?
             ORDER BY created_at DESC, id DESC""" + " LIMIT " + RECENT_PURCHASES;
    private static final String ENTRIES = "SELECT " + AuditRows.COLUMNS
            + " FROM credit_audit_log WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT " + RECENT_ENTRIES;
    private static final String HOLD_TOTALS = """
            SELECT COUNT(*), COALESCE(SUM(amount_millicredits), 0) FROM credit_reservation
             WHERE user_id = ? AND status = 'HELD'""";
    private static final String HOLDS = """
            SELECT id, amount_millicredits, model, idempotency_key, created_at, expires_at, charged_at_expiry
              FROM credit_reservation
             WHERE user_id = ? AND status = 'HELD' ORDER BY created_at, id""" + " LIMIT " + MAX_HOLDS;

    @Inject
    DataSource dataSource;

    @Inject
    AuditRows rows;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    private record AccountRow(String plan, long monthly, long heldOver, long granted, long purchased, long reserved,
            Instant periodStart, Instant createdAt, Instant updatedAt) {
    }

    /** How many rows a total covers, and the sum of their amounts. */
    private record Totals(long count, long millicredits) {
    }

    public AccountView account(String userId) {
        return transactions.inNewTransaction(() -> read(userId, clock.instant()));
    }

    private AccountView read(String userId, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")) {
                ps.execute();
            }
            List<AccountRow> accounts = query(c, ACCOUNT, rs -> new AccountRow(rs.getString("plan"),
                    rs.getLong("monthly_millicredits"), rs.getLong("held_over_millicredits"),
                    rs.getLong("granted_millicredits"), rs.getLong("purchased_millicredits"), rs.getLong("reserved_millicredits"),
                    Jdbc.getTime(rs, "period_start"), Jdbc.getTime(rs, "created_at"), Jdbc.getTime(rs, "updated_at")),
                    userId);
            if (accounts.isEmpty()) {
                throw AdminProblem.accountNotFound();
            }
            AccountRow account = accounts.get(0);
            List<AuditEntry> entries = query(c, ENTRIES, rows::read, userId);
            Totals holdTotals = totals(c, HOLD_TOTALS, userId);
            List<AccountView.LiveHold> holds = query(c, HOLDS, rs -> {
                Instant expiresAt = Jdbc.getTime(rs, "expires_at");
                return new AccountView.LiveHold(rs.getObject("id", UUID.class), rs.getLong("amount_millicredits"),
                        rs.getString("model"), rs.getString("idempotency_key"), Jdbc.getTime(rs, "created_at"), expiresAt,
                        expiresAt.isBefore(now), rs.getBoolean("charged_at_expiry"));
            }, userId);
            Totals shortfallTotals = totals(c, SHORTFALL_TOTALS, userId, userId);
            List<AccountView.Shortfall> shortfalls = query(c, SHORTFALLS, rs -> new AccountView.Shortfall(rs.getLong("id"),
                    rs.getString("request_id"), rs.getString("model"), rs.getLong("cost_millicredits"),
                    rs.getLong("shortfall_millicredits"), Jdbc.getTime(rs, "created_at")), userId, userId);
            Totals failedCompensations = totals(c, FAILED_COMPENSATION_TOTALS, userId);
            List<AccountView.Compensation> compensations = query(c, COMPENSATIONS, rs -> new AccountView.Compensation(
                    rs.getLong("id"), rs.getString("kind"), rs.getString("status"), rs.getLong("amount_millicredits"),
                    rs.getString("reason"), rs.getString("last_error"), rs.getInt("attempts"),
                    rs.getObject("reservation_id", UUID.class), rs.getObject("usage_id", Long.class),
                    Jdbc.getTime(rs, "created_at"), Jdbc.getTime(rs, "updated_at")), userId);
            Totals unrecovered = totals(c, UNRECOVERED_PURCHASE_TOTALS, userId);
            List<AccountView.Purchase> purchases = query(c, PURCHASES, rs -> new AccountView.Purchase(
                    rs.getObject("id", UUID.class), rs.getString("pack_id"), rs.getString("origin"), rs.getString("status"),
                    rs.getLong("credits_millicredits"), rs.getLong("granted_millicredits"),
                    rs.getLong("clawed_back_millicredits"), rs.getLong("unrecovered_millicredits"),
                    rs.getString("flagged_reason"), rs.getString("payment_intent_id"), Jdbc.getTime(rs, "created_at")),
                    userId);
            List<AccountView.Grant> grants = query(c, GRANTS, rs -> new AccountView.Grant(rs.getObject("id", UUID.class),
                    rs.getInt("priority"), rs.getLong("granted"), rs.getLong("remaining"), Jdbc.getTime(rs, "expires_at"),
                    rs.getString("source"), rs.getString("reason"), Jdbc.getTime(rs, "granted_at"),
                    Jdbc.getTime(rs, "expired_at")), userId);
            long available = account.monthly() + account.granted() + account.purchased() - account.reserved();
            return new AccountView(userId, account.plan(), account.monthly(), account.heldOver(), account.granted(),
                    account.purchased(),
                    account.reserved(), available, Millicredits.of(available).credits(), account.periodStart(),
                    account.periodStart().atZone(ZoneOffset.UTC).plusMonths(1).toInstant(), account.createdAt(),
                    account.updatedAt(), entries, holdTotals.count(), holdTotals.millicredits(), holds,
                    shortfallTotals.count(), shortfallTotals.millicredits(), shortfalls, failedCompensations.count(),
                    failedCompensations.millicredits(), compensations, unrecovered.count(), unrecovered.millicredits(),
                    purchases, grants);
        } catch (SQLException e) {
            throw DatabaseFailure.of("read account", e);
        }
    }

    /** Reads one row of a result set. */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The rows the statement answers with the parameters, in its order, each read by the reader. */
    private static <T> List<T> query(Connection c, String sql, RowReader<T> reader, String... parameters)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        }
    }

    /** The one row of a statement of the form {@code SELECT COUNT(*), COALESCE(SUM(...), 0)}. */
    private static Totals totals(Connection c, String sql, String... parameters) throws SQLException {
        return query(c, sql, rs -> new Totals(rs.getLong(1), rs.getLong(2)), parameters).get(0);
    }
}
