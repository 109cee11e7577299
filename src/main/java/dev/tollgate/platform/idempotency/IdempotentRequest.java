package dev.tollgate.platform.idempotency;

import java.util.Objects;

/**
 * The key a mutation is written under and the fingerprint of its request, stored beside the key
 * by the first write. The key is either a client's ({@link IdempotencyKey}: shape checked, 400
 * otherwise) or one Tollgate derives itself ({@link DerivedKey}: in the namespace no client may
 * enter).
 */
public record IdempotentRequest(String key, String requestHash) {

    public IdempotentRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestHash, "requestHash");
    }

    /** A request under the key a client sent. */
    public static IdempotentRequest of(IdempotencyKey key, String operation, Object request) {
        return new IdempotentRequest(key.value(), RequestHash.of(operation, request));
    }

    /**
     * A request under a key Tollgate derived itself ({@link DerivedKey#of}, or a ledger helper
     * built on it).
     *
     * @throws IllegalArgumentException if the key is not in the derived namespace: a client could
     *     have written under it
     */
    public static IdempotentRequest derived(String derivedKey, String operation, Object request) {
        if (!DerivedKey.isReserved(derivedKey)) {
            throw new IllegalArgumentException("not a derived key: " + derivedKey);
        }
        return new IdempotentRequest(derivedKey, RequestHash.of(operation, request));
    }
}
