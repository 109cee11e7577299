package dev.tollgate.webhook;

import java.time.Clock;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.idempotency.StoredRequest;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/**
 * The Idempotency-Keys of the admin calls that change webhooks, per admin: written in the call's
 * transaction with the answer; a second write of the key fails on the primary key, and the
 * retry is answered from the stored answer.
 */
@ApplicationScoped
class WebhookAdminRequests {

    /** What the first call under a key stored. */
    record Stored(String requestHash, String answer) implements StoredRequest {
    }

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    /** Takes the key for this request; its answer follows in the same transaction ({@link #answer}). */
    void record(String adminId, String key, String requestHash) {
        String sql = "INSERT INTO webhook_admin_request (admin_id, idempotency_key, request_hash, answer, created_at) VALUES (?, ?, ?, '', ?)";
        Rows.update(dataSource, "record webhook admin request", sql, (c, ps) -> {
            ps.setString(1, adminId);
            ps.setString(2, key);
            ps.setString(3, requestHash);
            Jdbc.setTime(ps, 4, clock.instant());
        });
    }

    void answer(String adminId, String key, String answer) {
        String sql = "UPDATE webhook_admin_request SET answer = ? WHERE admin_id = ? AND idempotency_key = ?";
        Rows.update(dataSource, "record webhook admin answer", sql, (c, ps) -> {
            ps.setString(1, answer);
            ps.setString(2, adminId);
            ps.setString(3, key);
        });
    }

    Optional<Stored> find(String adminId, String key) {
        String sql = "SELECT request_hash, answer FROM webhook_admin_request WHERE admin_id = ? AND idempotency_key = ?";
        return Rows.query(dataSource, "read webhook admin request", sql, (c, ps) -> {
            ps.setString(1, adminId);
            ps.setString(2, key);
        }, rs -> new Stored(rs.getString(1), rs.getString(2))).stream().findFirst();
    }
}
