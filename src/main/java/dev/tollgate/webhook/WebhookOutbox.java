package dev.tollgate.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;

/**
 * Where features publish webhook events: in the caller's transaction, so that an event exists if
 * and only if the change that caused it committed. One statement writes the event and one pending
 * delivery per enabled endpoint subscribed to its type; with no such endpoint it writes nothing.
 * The {@link WebhookSender} delivers them later, off the request threads.
 *
 * <p>The body is fixed here, byte for byte what every attempt sends (Standard Webhooks):
 * {@code {"type":…,"timestamp":…,"data":{"userId":…,…}}}; {@code data} always names the account.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class WebhookOutbox {

    /** Event and deliveries in one statement; the event is written only if some endpoint takes it. */
    static final String PUBLISH = """
            WITH targets AS (
                SELECT id FROM webhook_endpoint
                 WHERE enabled AND (cardinality(event_types) = 0 OR ?::text = ANY (event_types))
            ), event AS (
                INSERT INTO webhook_event (id, type, user_id, created_at, payload)
                SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM targets)
                RETURNING id
            )
            INSERT INTO webhook_delivery (event_id, endpoint_id, user_id, status, next_attempt_at, created_at)
            SELECT event.id, targets.id, ?, 'pending', ?, ? FROM event CROSS JOIN targets ORDER BY targets.id""";

    /** What was written: the event's id, and the deliveries (0: no endpoint takes the type, nothing written). */
    public record Published(String eventId, int deliveries) {
    }

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    /**
     * Publishes an event of the account in the current transaction.
     *
     * @param type one of {@link WebhookEventTypes}
     * @param data the event's fields (strings, numbers, booleans, lists and maps of them); a
     *     {@code userId} member is added
     */
    public Published publish(String userId, String type, Map<String, Object> data) {
        Objects.requireNonNull(userId, "userId");
        if (!WebhookEventTypes.isKnown(type)) {
            throw new IllegalArgumentException("unknown webhook event type: " + type);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        String payload = payload(type, now, userId, data);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PUBLISH)) {
            ps.setString(1, type);
            ps.setString(2, id);
            ps.setString(3, type);
            ps.setString(4, userId);
            Jdbc.setTime(ps, 5, now);
            ps.setString(6, payload);
            ps.setString(7, userId);
            Jdbc.setTime(ps, 8, now);
            Jdbc.setTime(ps, 9, now);
            return new Published(id, ps.executeUpdate());
        } catch (SQLException e) {
            throw DatabaseFailure.of("publish webhook event", e);
        }
    }

    private String payload(String type, Instant timestamp, String userId, Map<String, Object> data) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("userId", userId);
        if (data != null) {
            data.forEach((key, value) -> {
                if (!"userId".equals(key)) {
                    members.put(key, value);
                }
            });
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("timestamp", timestamp.toString());
        body.put("data", members);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("webhook data cannot be written as JSON", e);
        }
    }
}
