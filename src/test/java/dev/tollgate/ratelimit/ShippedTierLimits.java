package dev.tollgate.ratelimit;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The messages and sensitive tiers at the limits {@code application.properties} ships (30 per
 * minute, 10 per 5 minutes; {@link MessagesTierKeyFallbackTest} reads them from the file) in place
 * of the suite's generous ones, and two plans that override the messages tier: {@code roomy} under
 * the tier's name, {@code legacy} under its former name ({@code chat}).
 *
 * <p>The store is the memory one, which reads the application's clock, so that a test can hold the
 * clock still: at 30 per minute one request is freed every 2 s, and a burst of 31 requests over
 * HTTP on a busy machine can take longer than that. The PostgreSQL store applies the same GCRA
 * ({@link RateLimitTest}, {@link SharedLimitTest}).
 */
public class ShippedTierLimits implements QuarkusTestProfile {

    static final int MESSAGES = 30;
    static final int SENSITIVE = 10;
    static final String ROOMY_PLAN = "roomy";
    static final int ROOMY_MESSAGES = 40;
    static final String LEGACY_PLAN = "legacy";
    static final int LEGACY_MESSAGES = 35;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("tollgate.rate-limit.store", "memory"),
                Map.entry("tollgate.rate-limit.messages.limit", String.valueOf(MESSAGES)),
                Map.entry("tollgate.rate-limit.messages.period", "PT1M"),
                Map.entry("tollgate.rate-limit.sensitive.limit", String.valueOf(SENSITIVE)),
                Map.entry("tollgate.rate-limit.sensitive.period", "PT5M"),
                Map.entry("tollgate.plans.catalog." + ROOMY_PLAN + ".monthly-allowance-millicredits", "100000"),
                Map.entry("tollgate.rate-limit.plans." + ROOMY_PLAN + ".messages.limit", String.valueOf(ROOMY_MESSAGES)),
                Map.entry("tollgate.plans.catalog." + LEGACY_PLAN + ".monthly-allowance-millicredits", "100000"),
                Map.entry("tollgate.rate-limit.plans." + LEGACY_PLAN + ".chat.limit", String.valueOf(LEGACY_MESSAGES)),
                Map.entry("tollgate.rate-limit.plans." + LEGACY_PLAN + ".chat.period", "PT2M"),
                Map.entry("tollgate.rate-limit.plan-cache-ttl", "PT0S"));
    }
}
