package dev.tollgate.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * One delivery of an event to an endpoint: {@code pending} (waiting, or {@code inFlight}),
 * {@code delivered}, or {@code dead} (its attempts ran out; an admin can replay it).
 */
public record WebhookDeliveryView(long id, String eventId, String eventType, String userId, UUID endpointId,
        String status, int attempts, boolean inFlight, Instant nextAttemptAt, Integer lastStatusCode,
        String lastError, Instant deliveredAt, Instant createdAt) {
}
