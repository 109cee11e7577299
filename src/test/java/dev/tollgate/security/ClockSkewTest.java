package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.jwt.Claims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.JwtClaimsBuilder;

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

    /** A time claim a few seconds off the app's clock (tolerated) and minutes off (refused). */
    record Skew(String name, UnaryOperator<JwtClaimsBuilder> tolerated, UnaryOperator<JwtClaimsBuilder> refused) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Skew> skews() {
        Instant now = Instant.now();
        return Stream.of(
                new Skew("a token expired seconds ago passes, one expired a minute ago is refused",
                        claims -> claims.issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(10)),
                        claims -> claims.issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(60))),
                new Skew("a token valid seconds from now passes, one valid in five minutes is refused",
                        claims -> claims.claim(Claims.nbf.name(), now.getEpochSecond() + 10),
                        claims -> claims.claim(Claims.nbf.name(), now.getEpochSecond() + 300)),
                new Skew("a token issued seconds from now passes, one issued in five minutes is refused",
                        claims -> claims.issuedAt(now.plusSeconds(10)).expiresAt(now.plusSeconds(600)),
                        claims -> claims.issuedAt(now.plusSeconds(300)).expiresAt(now.plusSeconds(900))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skews")
    void aFewSecondsOffTheClockPassMinutesOffAreRefused(Skew skew) {
        String tolerated = Tokens.user(user(), skew.tolerated());
        String refused = Tokens.user(user(), skew.refused());

        assertThat(status(tolerated)).isEqualTo(200);
        assertThat(status(refused)).isEqualTo(401);
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
