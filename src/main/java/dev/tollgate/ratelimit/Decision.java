package dev.tollgate.ratelimit;

/**
 * The outcome of one check, with what the RateLimit headers say: the limit, the requests left
 * right now, the seconds until the caller's allowance is whole again, and (refused) the seconds
 * until one more request is admitted.
 */
public record Decision(Tier tier, boolean admitted, Quota quota, long remaining, long resetSeconds,
        long retryAfterSeconds) {

    private static final long MICROS_PER_SECOND = 1_000_000;

    /**
     * The decision of a GCRA after a check at {@code nowMicros} left the caller's theoretical
     * arrival time at {@code tatMicros} (advanced if admitted, unchanged if refused).
     */
    public static Decision of(Tier tier, boolean admitted, long tatMicros, long nowMicros, Quota quota) {
        long interval = quota.intervalMicros();
        long period = quota.periodMicros();
        long backlog = Math.max(0, tatMicros - nowMicros);
        long remaining = Math.max(0, (period - backlog) / interval);
        long retryAfter = admitted ? 0 : Math.max(1, ceilSeconds(tatMicros + interval - period - nowMicros));
        return new Decision(tier, admitted, quota, Math.min(remaining, quota.limit()), ceilSeconds(backlog), retryAfter);
    }

    private static long ceilSeconds(long micros) {
        return micros <= 0 ? 0 : (micros + MICROS_PER_SECOND - 1) / MICROS_PER_SECOND;
    }
}
