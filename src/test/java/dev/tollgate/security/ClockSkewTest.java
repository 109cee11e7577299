package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.jwt.Claims;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The tolerance for clocks that disagree ({@code quarkus.oidc.token.lifespan-grace}, 30 s): a token
 * that expired, or becomes valid ({@code nbf}), or was issued ({@code iat}) a few seconds off the
 * app's clock is accepted; minutes off, it is refused. The cache of verified tokens never answers
 * for a token at or past its {@code exp}.
 */
@QuarkusTest
class ClockSkewTest {

    static String user() {
        return "skew-" + UUID.randomUUID();
    }

    static int status(String token) {
        return given().auth().oauth2(token).get("/api/credit/balance").statusCode();
    }

    @Test
    void theToleranceIsThirtySeconds() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.oidc.token.lifespan-grace", Integer.class)).isEqualTo(30);
    }

    @Test
    void aTokenExpiredSecondsAgoPassesOneExpiredAMinuteAgoIsRefused() {
        Instant now = Instant.now();
        String tenSecondsAgo = Tokens.user(user(), claims -> claims.issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(10)));
        String aMinuteAgo = Tokens.user(user(), claims -> claims.issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(60)));

        assertThat(status(tenSecondsAgo)).isEqualTo(200);
        assertThat(status(aMinuteAgo)).isEqualTo(401);
    }

    @Test
    void aTokenValidSecondsFromNowPassesOneValidInFiveMinutesIsRefused() {
        long now = Instant.now().getEpochSecond();
        String inTenSeconds = Tokens.user(user(), claims -> claims.claim(Claims.nbf.name(), now + 10));
        String inFiveMinutes = Tokens.user(user(), claims -> claims.claim(Claims.nbf.name(), now + 300));

        assertThat(status(inTenSeconds)).isEqualTo(200);
        assertThat(status(inFiveMinutes)).isEqualTo(401);
    }

    @Test
    void aTokenIssuedSecondsFromNowPassesOneIssuedInFiveMinutesIsRefused() {
        Instant now = Instant.now();
        String inTenSeconds = Tokens.user(user(), claims -> claims.issuedAt(now.plusSeconds(10)).expiresAt(now.plusSeconds(600)));
        String inFiveMinutes = Tokens.user(user(), claims -> claims.issuedAt(now.plusSeconds(300)).expiresAt(now.plusSeconds(900)));

        assertThat(status(inTenSeconds)).isEqualTo(200);
        assertThat(status(inFiveMinutes)).isEqualTo(401);
    }

    @Test
    void aTokenWithinTheToleranceAfterItsExpiryIsVerifiedEachTimeNeverCached() {
        Instant now = Instant.now();
        String expired = Tokens.user(user(), claims -> claims.issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(10)));
        double hitsBefore = Metrics.value("tollgate_auth_token_cache_total", Map.of("result", "hit"));

        for (int i = 0; i < 3; i++) {
            assertThat(status(expired)).isEqualTo(200);
        }

        assertThat(Metrics.value("tollgate_auth_token_cache_total", Map.of("result", "hit")) - hitsBefore).isZero();
    }
}
