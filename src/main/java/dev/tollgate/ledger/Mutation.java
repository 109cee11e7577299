package dev.tollgate.ledger;

import java.util.UUID;

/**
 * Who asks for a balance change and how to recognize a retry of it: the idempotency key with the
 * fingerprint of the request (both {@code null} for system changes that are unique by
 * construction), the acting identity, the client's IP and user agent, and optional references and
 * metadata (a JSON object) for the audit row.
 */
public record Mutation(String idempotencyKey, String requestHash, String actor, String clientIp, String userAgent,
        Long usageId, UUID holdId, String metadataJson) {

    public Mutation {
        if ((idempotencyKey == null) != (requestHash == null)) {
            throw new IllegalArgumentException("an idempotency key goes with a request hash");
        }
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("every balance change names its actor");
        }
    }

    /** A change a user asks for with their token, under an idempotency key. */
    public static Mutation byUser(String userId, String idempotencyKey, String requestHash, String clientIp,
            String userAgent) {
        return new Mutation(idempotencyKey, requestHash, "user:" + userId, clientIp, userAgent, null, null, null);
    }

    public static Mutation system(String actor) {
        return new Mutation(null, null, actor, null, null, null, null, null);
    }

    public Mutation withUsage(Long id) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, id, holdId, metadataJson);
    }

    public Mutation withHold(UUID id) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, usageId, id, metadataJson);
    }

    /** This mutation with the origin of the request that causes it, unless it names one already. */
    public Mutation withOriginIfAbsent(String ip, String agent) {
        if (clientIp != null || userAgent != null || (ip == null && agent == null)) {
            return this;
        }
        return new Mutation(idempotencyKey, requestHash, actor, ip, agent, usageId, holdId, metadataJson);
    }

    public Mutation withMetadata(String json) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, usageId, holdId, json);
    }
}
