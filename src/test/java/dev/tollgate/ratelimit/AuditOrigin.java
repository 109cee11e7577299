package dev.tollgate.ratelimit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.tollgate.testing.TestDatabase;

/** The client IP and user agent of an audit row, as "ip agent". */
final class AuditOrigin {

    private AuditOrigin() {
    }

    static String of(String userId, String idempotencyKey) {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT client_ip, user_agent FROM credit_audit_log WHERE user_id = ? AND idempotency_key = ?")) {
            ps.setString(1, userId);
            ps.setString(2, idempotencyKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + " " + rs.getString(2) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
