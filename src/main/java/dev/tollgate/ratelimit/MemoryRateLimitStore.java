package dev.tollgate.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Allowances in this instance's memory, for a deployment of one instance (or a test): the same
 * GCRA as {@link PostgresRateLimitStore}, atomic per bucket through {@link ConcurrentHashMap#compute}.
 * The map holds at most {@code maxBuckets}; past that, buckets whose allowance is whole again are
 * dropped, and if none is, the oldest half of the callers simply start afresh.
 */
public class MemoryRateLimitStore implements RateLimitStore {

    private final Map<String, Long> tats = new ConcurrentHashMap<>();
    private final LongSupplier nowMicros;
    private final int maxBuckets;

    public MemoryRateLimitStore(LongSupplier nowMicros, int maxBuckets) {
        this.nowMicros = nowMicros;
        this.maxBuckets = maxBuckets;
    }

    @Override
    public Decision acquire(Tier tier, String bucketKey, Quota quota) {
        if (tats.size() >= maxBuckets) {
            evict();
        }
        long now = nowMicros.getAsLong();
        long interval = quota.intervalMicros();
        long period = quota.periodMicros();
        boolean[] admitted = new boolean[1];
        long tat = tats.compute(bucketKey, (key, stored) -> {
            long next = Math.max(stored == null ? now : stored, now) + interval;
            if (next - now <= period) {
                admitted[0] = true;
                return next;
            }
            admitted[0] = false;
            return stored;
        });
        return Decision.of(tier, admitted[0], tat, now, quota);
    }

    @Override
    public long purge(int maxRows) {
        long now = nowMicros.getAsLong();
        int before = tats.size();
        tats.values().removeIf(tat -> tat < now);
        return Math.max(0, before - tats.size());
    }

    int size() {
        return tats.size();
    }

    private synchronized void evict() {
        if (tats.size() < maxBuckets) {
            return;
        }
        purge(Integer.MAX_VALUE);
        if (tats.size() >= maxBuckets) {
            long cutoff = tats.values().stream().sorted().skip(tats.size() / 2).findFirst().orElse(Long.MAX_VALUE);
            tats.values().removeIf(tat -> tat < cutoff);
        }
    }
}
