package dev.tollgate.ratelimit;

/** The store of the allowances could not be read or written (the limiter then admits the request). */
public class RateLimitStoreException extends RuntimeException {

    RateLimitStoreException(Throwable cause) {
        super("rate-limit store failed: " + cause.getMessage(), cause);
    }
}
