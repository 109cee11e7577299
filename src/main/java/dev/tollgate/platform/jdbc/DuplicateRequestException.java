package dev.tollgate.platform.jdbc;

/**
 * A write hit a unique key that makes a request idempotent: the same request (or another one under
 * the same key) was already applied, possibly by a concurrent call that just committed. The
 * transaction is rolled back and the caller answers from what was stored.
 */
public class DuplicateRequestException extends RuntimeException {

    public DuplicateRequestException(String constraint) {
        super("duplicate request (" + constraint + ")", null, false, false);
    }
}
