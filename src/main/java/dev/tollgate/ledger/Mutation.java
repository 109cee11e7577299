package dev.tollgate.ledger;

import java.util.UUID;

/**
 * Who asks for a balance change and how to recognize a retry of it: the idempotency key with the
 * fingerprint of the request (both {@code null} for system changes that are unique by
 * construction), the acting identity, the client's IP and user agent, and optional references and
 * metadata (a JSON object) for the audit row. {@code memberId} names the member of a team pool who
 * spends from it: their cap is checked and counted with the charge or hold ({@code null} on a
 * user's own account, and for every change that is not a member's spending).
 */
public record Mutation(String idempotencyKey, String requestHash, String actor, String clientIp, String userAgent,
        Long usageId, UUID holdId, String metadataJson, String memberId) {

    public Mutation(String idempotencyKey, String requestHash, String actor, String clientIp, String userAgent,
            Long usageId, UUID holdId, String metadataJson) {
        this(idempotencyKey, requestHash, actor, clientIp, userAgent, usageId, holdId, metadataJson, null);
    }

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

    /**
     * A change the payer's user asks for with their token, under an idempotency key: on a team pool,
     * a member's spending, counted against their cap.
     */
    public static Mutation byPayer(Payer payer, String idempotencyKey, String requestHash, String clientIp,
            String userAgent) {
        return new Mutation(idempotencyKey, requestHash, "user:" + payer.userId(), clientIp, userAgent, null, null, null,
                payer.memberId());
    }

    public static Mutation system(String actor) {
        return new Mutation(null, null, actor, null, null, null, null, null);
    }

    public Mutation withUsage(Long id) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, id, holdId, metadataJson, memberId);
    }

    public Mutation withHold(UUID id) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, usageId, id, metadataJson, memberId);
    }

    /** This mutation with the origin of the request that causes it, unless it names one already. */
    public Mutation withOriginIfAbsent(String ip, String agent) {
        if (clientIp != null || userAgent != null || (ip == null && agent == null)) {
            return this;
        }
        return new Mutation(idempotencyKey, requestHash, actor, ip, agent, usageId, holdId, metadataJson, memberId);
    }

    public Mutation withMetadata(String json) {
        return new Mutation(idempotencyKey, requestHash, actor, clientIp, userAgent, usageId, holdId, json, memberId);
    }
}
