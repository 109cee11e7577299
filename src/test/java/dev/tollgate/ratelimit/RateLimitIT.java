package dev.tollgate.ratelimit;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/** The same checks as {@link RateLimitTest}, against the packaged application with the same low limits. */
@QuarkusIntegrationTest
@TestProfile(LowLimits.class)
class RateLimitIT extends RateLimitTest {
}
