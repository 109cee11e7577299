package dev.tollgate.ratelimit;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Low limits for the tests of the limiter, on a plan of their own ({@code throttled}) and for
 * requests without a token, so that the rest of the suite keeps its generous limits. The test
 * client (127.0.0.1) is trusted as a proxy, and so is {@link #PROXY_NETWORK} (the proxies in front
 * of it): each test names its own client IP in {@code X-Forwarded-For}. Plans are read on every
 * request, so that a test can move a user to the throttled plan.
 */
public class LowLimits implements QuarkusTestProfile {

    static final String PLAN = "throttled";
    static final int GENERAL = 5;
    static final int MESSAGES = 2;
    static final int SENSITIVE = 3;
    static final int ANONYMOUS = 3;
    /** A network of trusted proxies, as a cluster's pod network in front of the app. */
    static final String PROXY_NETWORK = "10.0.0.0/8";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("tollgate.plans.catalog." + PLAN + ".monthly-allowance-millicredits", "100000"),
                Map.entry("tollgate.rate-limit.plans." + PLAN + ".general.limit", String.valueOf(GENERAL)),
                Map.entry("tollgate.rate-limit.plans." + PLAN + ".general.period", "PT1M"),
                Map.entry("tollgate.rate-limit.plans." + PLAN + ".messages.limit", String.valueOf(MESSAGES)),
                Map.entry("tollgate.rate-limit.plans." + PLAN + ".sensitive.limit", String.valueOf(SENSITIVE)),
                Map.entry("tollgate.rate-limit.plans." + PLAN + ".sensitive.period", "PT5M"),
                Map.entry("tollgate.rate-limit.anonymous.general.limit", String.valueOf(ANONYMOUS)),
                Map.entry("tollgate.rate-limit.anonymous.general.period", "PT1H"),
                Map.entry("tollgate.rate-limit.plan-cache-ttl", "PT0S"),
                Map.entry("tollgate.http.trusted-proxies", "127.0.0.1,::1," + PROXY_NETWORK));
    }
}
