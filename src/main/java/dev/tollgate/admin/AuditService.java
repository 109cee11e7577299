package dev.tollgate.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.tx.Transactions;

/**
 * Reads the ledger for admins: one statement, newest first, bounded by the query's range and page
 * (the indexes by user and time, and by time, serve it).
 */
@ApplicationScoped
public class AuditService {

    @Inject
    DataSource dataSource;

    @Inject
    AuditRows rows;

    @Inject
    Transactions transactions;

    /** Read in a transaction of its own, so that a dead pooled connection is retried like a write. */
    public AuditPage page(AuditQuery query) {
        return transactions.inNewTransaction(() -> read(query));
    }

    private AuditPage read(AuditQuery query) {
        StringBuilder sql = new StringBuilder("SELECT ").append(AuditRows.COLUMNS)
                .append(" FROM credit_audit_log WHERE created_at >= ? AND created_at < ?");
        List<Object> filters = new ArrayList<>();
        if (query.userId() != null) {
            sql.append(" AND user_id = ?");
            filters.add(query.userId());
        }
        if (query.operation() != null) {
            sql.append(" AND operation = ?");
            filters.add(query.operation());
        }
        if (query.actor() != null) {
            sql.append(" AND actor = ?");
            filters.add(query.actor());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
        List<AuditEntry> items = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            Jdbc.setTime(ps, i++, query.from());
            Jdbc.setTime(ps, i++, query.to());
            for (Object filter : filters) {
                ps.setString(i++, (String) filter);
            }
            // One row more than the page: whether a next page exists, without counting the range.
            ps.setInt(i++, query.size() + 1);
            ps.setLong(i, (long) query.page() * query.size());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(rows.read(rs));
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read audit log", e);
        }
        boolean hasMore = items.size() > query.size();
        return new AuditPage(query.userId(), query.from(), query.to(),
                query.operation() == null ? null : query.operation().toLowerCase(Locale.ROOT), query.actor(),
                query.page(), query.size(), hasMore, hasMore ? items.subList(0, query.size()) : items);
    }
}
