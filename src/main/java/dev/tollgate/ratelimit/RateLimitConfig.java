package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Per-caller rate limits by tier (the defaults: general 100 per minute, messages 30 per minute,
 * sensitive 10 per 5 minutes), with overrides per plan. A signed-in caller is limited by the
 * token's {@code sub} at the limits of their plan; a request without a valid token by its client
 * IP at the tier's base limits.
 *
 * <p>The messages tier was named {@code chat}: its keys under that name ({@code chat.limit},
 * {@code plans.<plan>.chat.*}, {@code anonymous.chat.*}) still configure it, through
 * {@link MessagesTierKeyFallback}.
 */
@ConfigMapping(prefix = "tollgate.rate-limit")
public interface RateLimitConfig {

    /** The global switch: off, no request is limited and no RateLimit header is sent. */
    @WithDefault("true")
    boolean enabled();

    /** {@code postgres}: shared by every instance on the database; {@code memory}: this instance only. */
    @WithDefault("postgres")
    StoreKind store();

    /** Calls of every API path not in another tier. */
    TierLimit general();

    /** Everything that starts or records one chat message: the metered chat call, new reservations, charges. */
    TierLimit messages();

    /** Money moved by people rather than by chatting: admin adjustments, purchases and refunds. */
    TierLimit sensitive();

    /** Events a payment provider delivers (Stripe's webhook), per sending address. */
    TierLimit webhooks();

    /**
     * Overrides for requests without a valid token, limited per client IP ({@code anonymous.<tier>.limit|period});
     * the tier's own limits when absent.
     */
    PlanLimits anonymous();

    /** Overrides by plan name ({@code tollgate.plans.catalog.<plan>}): {@code plans.<plan>.<tier>.limit|period}. */
    Map<String, PlanLimits> plans();

    /** How long a caller's plan is remembered by an instance (0: read on every request). */
    @WithDefault("PT1M")
    Duration planCacheTtl();

    /** Buckets the memory store keeps at most. */
    @WithDefault("100000")
    @Min(1_000)
    @Max(10_000_000)
    int memoryMaxBuckets();

    /** Rows deleted per purge statement; a purge runs statements until none is left, at most 100. */
    @WithDefault("5000")
    @Min(1)
    @Max(100_000)
    int purgeBatchSize();

    enum StoreKind {
        POSTGRES, MEMORY
    }

    interface TierLimit {
        /** Requests per period. */
        @Min(1)
        int limit();

        /** The period, e.g. {@code PT1M}. */
        Duration period();
    }

    interface PlanLimits {
        Optional<TierOverride> general();

        Optional<TierOverride> messages();

        Optional<TierOverride> sensitive();

        Optional<TierOverride> webhooks();
    }

    interface TierOverride {
        /** Requests per period for this plan; the tier's own when absent. */
        OptionalInt limit();

        /** The period for this plan; the tier's own when absent. */
        Optional<Duration> period();
    }

    /** The quota of a tier for a plan ({@code null}: a caller without a valid token, limited by IP). */
    default Quota quota(Tier tier, String plan) {
        TierLimit base = switch (tier) {
            case GENERAL -> general();
            case MESSAGES -> messages();
            case SENSITIVE -> sensitive();
            case WEBHOOKS -> webhooks();
        };
        int limit = base.limit();
        Duration period = base.period();
        PlanLimits planLimits = plan == null ? anonymous() : plans().get(plan);
        if (planLimits != null) {
            Optional<TierOverride> override = switch (tier) {
                case GENERAL -> planLimits.general();
                case MESSAGES -> planLimits.messages();
                case SENSITIVE -> planLimits.sensitive();
                case WEBHOOKS -> planLimits.webhooks();
            };
            if (override.isPresent()) {
                limit = override.get().limit().orElse(limit);
                period = override.get().period().orElse(period);
            }
        }
        return new Quota(limit, period);
    }
}
