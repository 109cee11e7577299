package dev.tollgate.admin;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One row of {@code credit_audit_log}, every column: the signed change of each bucket and the
 * balances after it (millicredits), the idempotency key and request fingerprint, references, who
 * made the change and from where, and its metadata as JSON.
 */
public record AuditEntry(long id, String userId, String operation, long monthlyDeltaMillicredits,
        long purchasedDeltaMillicredits, long reservedDeltaMillicredits, long monthlyAfterMillicredits,
        long purchasedAfterMillicredits, long reservedAfterMillicredits, long availableAfterMillicredits,
        String idempotencyKey, String requestHash, Long usageId, UUID reservationId, String actor, String clientIp,
        String userAgent, JsonNode metadata, Instant createdAt) {
}
