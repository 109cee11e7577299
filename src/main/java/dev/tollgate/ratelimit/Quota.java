package dev.tollgate.ratelimit;

import java.time.Duration;

/**
 * At most {@code limit} requests per {@code period}, as a GCRA sees it: one request "costs"
 * {@code period / limit} of the period, and a caller may run up to the whole period ahead
 * (a burst of {@code limit} requests), after which each request waits for one interval to pass.
 */
public record Quota(int limit, Duration period) {

    public Quota {
        if (limit < 1) {
            throw new IllegalArgumentException("a rate limit allows at least one request, not " + limit);
        }
        if (period == null || period.toMillis() < 1) {
            throw new IllegalArgumentException("a rate limit period is at least a millisecond");
        }
    }

    public long periodMicros() {
        return period.toNanos() / 1_000;
    }

    /** The time one request uses up; {@code limit × interval ≤ period}, so a full burst is always allowed. */
    public long intervalMicros() {
        return Math.max(1, periodMicros() / limit);
    }
}
