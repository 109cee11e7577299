package dev.tollgate.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Without any trusted proxy (the default), X-Forwarded-For is never believed: every caller is its
 * TCP peer, for the rate limits and for the audit trail. Behind a proxy that nobody declared, all
 * callers without a valid token share the proxy's bucket, and one client's bad tokens spend it for
 * everyone; a client whose token expired is still told 401, never 429.
 */
@QuarkusTest
@TestProfile(WithoutTrustedProxyTest.LowAnonymousLimit.class)
class WithoutTrustedProxyTest {

    static final int ANONYMOUS = 3;

    /** A low limit for callers without a valid token, in a store of this application's own (so it starts full). */
    public static class LowAnonymousLimit extends ConfigOverrides {
        public LowAnonymousLimit() {
            super(Map.of("tollgate.rate-limit.anonymous.general.limit", String.valueOf(ANONYMOUS),
                    "tollgate.rate-limit.anonymous.general.period", "PT1H",
                    "tollgate.rate-limit.store", "memory"));
        }
    }

    @Test
    void everyCallerWithoutAValidTokenIsThePeerWhateverItsForwardedForSays() {
        for (int i = 0; i < ANONYMOUS; i++) {
            Response answer = given().header("X-Forwarded-For", RateLimitTest.newClientIp())
                    .auth().oauth2(Tokens.signedByAnotherKey("intruder")).get("/api/credit/balance");
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.header("RateLimit-Remaining")).isEqualTo(String.valueOf(ANONYMOUS - 1 - i));
        }
        // Another client (so it says) with an expired token: the same bucket, now spent. It is still
        // told 401, which makes a web client fetch a fresh token, not 429, which would make it wait.
        Response expired = given().header("X-Forwarded-For", RateLimitTest.newClientIp())
                .auth().oauth2(Tokens.expired("someone-else")).get("/api/credit/balance");
        assertThat(expired.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(expired.statusCode()).isEqualTo(401);
        // With a fresh token it is served: a valid token is counted as its user.
        given().auth().oauth2(Tokens.user(Api.newUser("someone-else"))).get("/api/credit/balance").then().statusCode(200);
    }

    @Test
    void theAuditRowKeepsThePeerAndNotTheForwardedAddress() {
        String user = Api.openAccount("unproxied");
        assertThat(AuditOrigin.ofCharge(user, "direct", "direct/1.0", "203.0.113.77")).isIn("127.0.0.1 direct/1.0", "::1 direct/1.0");
    }
}
