package dev.tollgate.ratelimit;

/** Where the callers' allowances live; a check admits or refuses one request atomically. */
public interface RateLimitStore {

    /** Counts one request of the bucket against the quota, if the quota allows it. */
    Decision acquire(Tier tier, String bucketKey, Quota quota);

    /** Forgets buckets whose allowance is whole again (they are the same as none); returns how many. */
    long purge(int maxRows);
}
