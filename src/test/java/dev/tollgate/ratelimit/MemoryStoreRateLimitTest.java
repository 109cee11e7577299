package dev.tollgate.ratelimit;

import static dev.tollgate.testing.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same limits as {@link RateLimitTest}, seen through HTTP, with the in-memory store of a
 * single-instance deployment instead of PostgreSQL.
 */
@QuarkusTest
@TestProfile(LowLimitsInMemory.class)
class MemoryStoreRateLimitTest extends RateLimitTest {

    @Test
    void theBucketsLiveInMemoryNotInTheDatabase() {
        String user = throttledUser();
        as(user).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - 1));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM rate_limit_bucket WHERE bucket_key LIKE '%|u:' || ?", user)).isZero();
    }
}
