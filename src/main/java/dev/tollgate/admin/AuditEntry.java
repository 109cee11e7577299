package dev.tollgate.admin;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One row of {@code credit_audit_log}, every column: the signed change of each bucket and the
 * balances after it (millicredits), the idempotency key and request fingerprint, references, who
 * made the change and from where, and its metadata as JSON (with the reason of an admin's action).
 * An admin action that moves no credits (a price change, a job run) has no user and no balances.
 */
public record AuditEntry(long id, String userId, String operation, long monthlyDeltaMillicredits,
        long grantedDeltaMillicredits, long purchasedDeltaMillicredits, long reservedDeltaMillicredits,
        Long monthlyAfterMillicredits, Long grantedAfterMillicredits, Long purchasedAfterMillicredits,
        Long reservedAfterMillicredits, Long availableAfterMillicredits,
        String idempotencyKey, String requestHash, Long usageId, UUID reservationId, String actor, String clientIp,
        String userAgent, JsonNode metadata, Instant createdAt) {
}
