package dev.tollgate.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;

/**
 * The delivery rows: what the sender claims and records, what the admin API lists and replays.
 * A delivery is in flight while its claim ({@code claimed_until}) runs; a sender that dies leaves
 * a claim that runs out, and the delivery is claimed again (at least once).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class WebhookDeliveries {

    /** A claimed delivery with what sending it needs. */
    record Claimed(long id, String eventId, UUID endpointId, String url, String secret, String payload, int attempt) {
    }

    /**
     * Enabled endpoints with a delivery that may be due, each locked by one claimer at a time, so
     * that the in-flight limit holds over every instance. NO KEY UPDATE: it does not conflict with
     * the key-share lock a publishing transaction takes on the endpoint row (the foreign key of its
     * delivery), so a claim never makes a charge wait.
     */
    private static final String ENDPOINTS_DUE = """
            SELECT e.id FROM webhook_endpoint e
             WHERE e.enabled AND EXISTS (SELECT 1 FROM webhook_delivery d
                                          WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= ?
                                            AND (d.claimed_until IS NULL OR d.claimed_until < ?))
             ORDER BY e.id LIMIT ? FOR NO KEY UPDATE OF e SKIP LOCKED""";

    private static final String IN_FLIGHT = """
            SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = ? AND status = 'pending' AND claimed_until >= ?""";

    /**
     * The oldest pending delivery per account of the endpoint, if it is due and not in flight: a
     * later event of an account waits until the earlier one is delivered or dead.
     */
    private static final String CLAIM = """
            WITH heads AS (
                SELECT DISTINCT ON (user_id) id, next_attempt_at, claimed_until
                  FROM webhook_delivery WHERE endpoint_id = ? AND status = 'pending'
                 ORDER BY user_id, id
            ), due AS (
                SELECT d.id FROM webhook_delivery d JOIN heads h ON h.id = d.id
                 WHERE h.next_attempt_at <= ? AND (h.claimed_until IS NULL OR h.claimed_until < ?)
                 ORDER BY d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE webhook_delivery d SET claimed_until = ?, attempts = d.attempts + 1
              FROM due, webhook_event ev, webhook_endpoint ep
             WHERE d.id = due.id AND ev.id = d.event_id AND ep.id = d.endpoint_id
            RETURNING d.id, d.event_id, d.endpoint_id, ep.url, ep.secret, ev.payload, d.attempts""";

    private static final String VIEW = """
            SELECT d.id, d.event_id, ev.type, d.user_id, d.endpoint_id, d.status, d.attempts, d.claimed_until,
                   d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at
              FROM webhook_delivery d JOIN webhook_event ev ON ev.id = d.event_id""";

    @Inject
    DataSource dataSource;

    /** Endpoints (at most {@code limit}) that have due deliveries and that no other claimer holds now. */
    List<UUID> endpointsDue(Instant now, int limit) {
        return Rows.query(dataSource, "find webhook endpoints due", ENDPOINTS_DUE, (c, ps) -> {
            Jdbc.setTime(ps, 1, now);
            Jdbc.setTime(ps, 2, now);
            ps.setInt(3, limit);
        }, rs -> rs.getObject(1, UUID.class));
    }

    int inFlight(UUID endpointId, Instant now) {
        return Rows.one(dataSource, "count webhook deliveries in flight", IN_FLIGHT, (c, ps) -> {
            ps.setObject(1, endpointId);
            Jdbc.setTime(ps, 2, now);
        }, rs -> rs.getInt(1));
    }

    /** Claims up to {@code limit} due deliveries of the endpoint until {@code claimedUntil}; counts the attempt. */
    List<Claimed> claim(UUID endpointId, Instant now, int limit, Instant claimedUntil) {
        return Rows.query(dataSource, "claim webhook deliveries", CLAIM, (c, ps) -> {
            ps.setObject(1, endpointId);
            Jdbc.setTime(ps, 2, now);
            Jdbc.setTime(ps, 3, now);
            ps.setInt(4, limit);
            Jdbc.setTime(ps, 5, claimedUntil);
        }, rs -> new Claimed(rs.getLong(1), rs.getString(2), rs.getObject(3, UUID.class), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getInt(7)));
    }

    void delivered(long id, int statusCode, Instant now) {
        update("""
                UPDATE webhook_delivery SET status = 'delivered', claimed_until = NULL, delivered_at = ?,
                       last_status_code = ?, last_error = NULL
                 WHERE id = ? AND status = 'pending'""", (c, ps) -> {
            Jdbc.setTime(ps, 1, now);
            ps.setInt(2, statusCode);
            ps.setLong(3, id);
        });
    }

    /** A failed attempt: retried at {@code nextAttemptAt}, or dead if {@code dead}. */
    void failed(long id, Integer statusCode, String error, boolean dead, Instant nextAttemptAt) {
        update("""
                UPDATE webhook_delivery SET status = ?, claimed_until = NULL, next_attempt_at = ?,
                       last_status_code = ?, last_error = ?
                 WHERE id = ? AND status = 'pending'""", (c, ps) -> {
            ps.setString(1, dead ? "dead" : "pending");
            Jdbc.setTime(ps, 2, nextAttemptAt);
            if (statusCode == null) {
                ps.setNull(3, java.sql.Types.INTEGER);
            } else {
                ps.setInt(3, statusCode);
            }
            ps.setString(4, error.length() > 500 ? error.substring(0, 500) : error);
            ps.setLong(5, id);
        });
    }

    /**
     * Sends a delivery again with fresh attempts, whatever its status (a delivery in flight stays
     * in flight). Empty if there is no such delivery.
     */
    Optional<WebhookDeliveryView> replay(long id, Instant now) {
        int updated = update("""
                UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = ?, delivered_at = NULL
                 WHERE id = ?""", (c, ps) -> {
            Jdbc.setTime(ps, 1, now);
            ps.setLong(2, id);
        });
        return updated == 0 ? Optional.empty() : find(id, now);
    }

    Optional<WebhookDeliveryView> find(long id, Instant now) {
        List<WebhookDeliveryView> views = query(VIEW + " WHERE d.id = ?", (c, ps) -> ps.setLong(1, id), now);
        return views.stream().findFirst();
    }

    /** The endpoint's deliveries, newest first; only those of {@code status} if given. */
    List<WebhookDeliveryView> ofEndpoint(UUID endpointId, String status, int limit, Instant now) {
        String sql = VIEW + " WHERE d.endpoint_id = ?" + (status == null ? "" : " AND d.status = ?")
                + " ORDER BY d.id DESC LIMIT ?";
        return query(sql, (c, ps) -> {
            int i = 1;
            ps.setObject(i++, endpointId);
            if (status != null) {
                ps.setString(i++, status);
            }
            ps.setInt(i, limit);
        }, now);
    }

    private int update(String sql, Rows.Parameters parameters) {
        return Rows.update(dataSource, "update webhook delivery", sql, parameters);
    }

    private List<WebhookDeliveryView> query(String sql, Rows.Parameters parameters, Instant now) {
        return Rows.query(dataSource, "read webhook deliveries", sql, parameters, rs -> {
            Instant claimedUntil = Jdbc.getTime(rs, "claimed_until");
            int code = rs.getInt("last_status_code");
            Integer lastStatusCode = rs.wasNull() ? null : code;
            return new WebhookDeliveryView(rs.getLong("id"), rs.getString("event_id"), rs.getString("type"),
                    rs.getString("user_id"), rs.getObject("endpoint_id", UUID.class), rs.getString("status"),
                    rs.getInt("attempts"), claimedUntil != null && !claimedUntil.isBefore(now),
                    Jdbc.getTime(rs, "next_attempt_at"), lastStatusCode, rs.getString("last_error"),
                    Jdbc.getTime(rs, "delivered_at"), Jdbc.getTime(rs, "created_at"));
        });
    }
}
