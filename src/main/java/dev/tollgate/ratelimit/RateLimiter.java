package dev.tollgate.ratelimit;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Decides whether a caller may make one more request of a tier, in the store the config names.
 * If the store fails (the database is unreachable), the request is admitted, counted in
 * {@code tollgate.rate_limit.errors} and logged: the limiter never turns an outage into 429s.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    @Inject
    RateLimitConfig config;

    @Inject
    PlanLookup plans;

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    private RateLimitStore store;
    private final Map<Tier, Counter> rejections = new EnumMap<>(Tier.class);
    private Counter errors;

    @PostConstruct
    void init() {
        store = switch (config.store()) {
            case POSTGRES -> new PostgresRateLimitStore(dataSource);
            case MEMORY -> new MemoryRateLimitStore(this::nowMicros, config.memoryMaxBuckets());
        };
        for (Tier tier : Tier.values()) {
            rejections.put(tier, Counter.builder("tollgate.rate_limit.rejections")
                    .description("Requests refused with 429 because the caller was over the tier's rate limit")
                    .tag("tier", tier.key())
                    .register(registry));
        }
        errors = Counter.builder("tollgate.rate_limit.errors")
                .description("Rate-limit checks that failed (the request was admitted)")
                .register(registry);
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Whether the store does blocking I/O (then a check must not run on an event-loop thread). */
    public boolean blocking() {
        return config.store() == RateLimitConfig.StoreKind.POSTGRES;
    }

    /** Counts one request of the caller in the tier; {@code null} if the check could not be made. */
    public Decision check(Caller caller, Tier tier) {
        try {
            Quota quota = config.quota(tier, caller.signedIn() ? plans.planOf(caller.userId()) : null);
            Decision decision = store.acquire(tier, caller.bucketKey(tier), quota);
            if (!decision.admitted()) {
                rejections.get(tier).increment();
                LOG.debugf("rate limit: %s refused in tier %s (%d per %s)", caller.signedIn() ? "user" : "client",
                        tier.key(), quota.limit(), quota.period());
            }
            return decision;
        } catch (RuntimeException e) {
            errors.increment();
            LOG.warnf("rate limit: check failed, request admitted (%s)", e.getMessage());
            return null;
        }
    }

    /** Drops buckets whose allowance is whole again, in bounded batches; returns how many. */
    public long purge() {
        long purged = 0;
        for (int batch = 0; batch < 100; batch++) {
            long rows = store.purge(config.purgeBatchSize());
            purged += rows;
            if (rows < config.purgeBatchSize()) {
                break;
            }
        }
        return purged;
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
    }
}
