package dev.tollgate.platform.idempotency;

/**
 * What the first request of a key stored, as far as a repeat needs it: the fingerprint that
 * {@link RequestHash} made of that request. A ledger entry is one; so is anything a mutation
 * writes under its key.
 */
public interface StoredRequest {

    /** The fingerprint of the request that was applied under the key. */
    String requestHash();
}
