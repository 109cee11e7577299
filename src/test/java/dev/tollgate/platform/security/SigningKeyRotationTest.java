package dev.tollgate.platform.security;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.jose4j.jwk.JsonWebKey.OutputControlLevel;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.oidc.server.OidcWireMock;

/**
 * The provider's signing keys change while the app runs: the OIDC test server's key set is replaced
 * during the test. A token of a new key is accepted within seconds, twice within a minute; a token
 * of a key the provider has withdrawn is refused within one refresh period, also when the cache of
 * verified tokens holds it; and tokens naming made-up key ids do not hold back a real new key. The
 * shipped settings, except a refresh period of 6 s instead of minutes.
 */
@QuarkusTest
@TestProfile(SigningKeyRotationTest.ShortRefreshPeriod.class)
class SigningKeyRotationTest {

    public static class ShortRefreshPeriod extends ConfigOverrides {
        public ShortRefreshPeriod() {
            super(Map.of("tollgate.auth.signing-keys.refresh-interval", REFRESH_PERIOD.toString()));
        }
    }

    static final Duration REFRESH_PERIOD = Duration.ofSeconds(6);
    /** How soon a new key must be accepted: the shipped quarkus.oidc.token.forced-jwk-refresh-interval (5 s), and some slack. */
    static final Duration NEW_KEY_WITHIN = Duration.ofSeconds(10);
    static final String JWKS_PATH = "/auth/realms/quarkus/protocol/openid-connect/certs";

    @OidcWireMock
    WireMockServer oidcServer;

    @AfterEach
    void restoreTheKeySet() {
        publish(originalKey());
    }

    @Test
    void aNewKeyIsAcceptedWithinSecondsTwiceWithinAMinute() throws Exception {
        RsaJsonWebKey second = newKey();
        RsaJsonWebKey third = newKey();

        publish(originalKey(), publicJson(second));
        assertThat(statusWithin(token(second), 200, NEW_KEY_WITHIN)).as("the first new key").isEqualTo(200);

        publish(publicJson(second), publicJson(third));
        assertThat(statusWithin(token(third), 200, NEW_KEY_WITHIN)).as("the second new key, seconds later").isEqualTo(200);
    }

    @Test
    void aWithdrawnKeyIsRefusedWithinOneRefreshPeriodAlsoFromTheCache() throws Exception {
        RsaJsonWebKey doomed = newKey();
        publish(originalKey(), publicJson(doomed));
        String token = token(doomed);
        assertThat(statusWithin(token, 200, NEW_KEY_WITHIN)).isEqualTo(200);
        double hitsBefore = cacheHits();
        assertThat(status(token)).isEqualTo(200);
        assertThat(cacheHits() - hitsBefore).as("the token is in the cache of verified tokens").isEqualTo(1);

        publish(originalKey());
        long withdrawn = System.nanoTime();

        // No token names an unknown key id meanwhile: only the periodic refresh can see the change.
        assertThat(statusWithin(token, 401, REFRESH_PERIOD.plusSeconds(3))).as("a token of the withdrawn key").isEqualTo(401);
        assertThat(Duration.ofNanos(System.nanoTime() - withdrawn)).isLessThan(REFRESH_PERIOD.plusSeconds(3));
        assertThat(status(Tokens.user("rotation-" + UUID.randomUUID()))).as("a token of the remaining key").isEqualTo(200);
    }

    @Test
    void tokensWithMadeUpKeyIdsDoNotHoldBackARealNewKey() throws Exception {
        RsaJsonWebKey attackers = newKey();
        RsaJsonWebKey next = newKey();
        AtomicBoolean forging = new AtomicBoolean(true);
        AtomicInteger forgedRefused = new AtomicInteger();
        AtomicInteger forgedAccepted = new AtomicInteger();
        AtomicReference<Throwable> forgerFailure = new AtomicReference<>();
        Thread forger = new Thread(() -> {
            try {
                while (forging.get()) {
                    String forged = Tokens.userSignedBy("forger", "made-up-" + UUID.randomUUID(), attackers.getPrivateKey());
                    (status(forged) == 401 ? forgedRefused : forgedAccepted).incrementAndGet();
                }
            } catch (Throwable e) {
                forgerFailure.set(e);
            }
        });
        // The token builder reads its configuration through the class loader of the test.
        forger.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        forger.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (forgedRefused.get() < 20 && forgerFailure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(forgerFailure.get()).isNull();
            assertThat(forgedRefused.get()).as("forged tokens were sent before the rotation").isGreaterThanOrEqualTo(20);

            publish(originalKey(), publicJson(next));
            assertThat(statusWithin(token(next), 200, NEW_KEY_WITHIN)).as("the real new key, under the forged tokens")
                    .isEqualTo(200);
        } finally {
            forging.set(false);
            forger.join();
        }
        assertThat(forgerFailure.get()).isNull();
        assertThat(forgedAccepted.get()).isZero();
    }

    /** Keeps sending {@code token} until it gets {@code wanted} or {@code within} has passed; the last status. */
    static int statusWithin(String token, int wanted, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        int status = status(token);
        while (status != wanted && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = status(token);
        }
        return status;
    }

    static int status(String token) {
        return given().auth().oauth2(token).get("/api/credit/balance").statusCode();
    }

    static double cacheHits() {
        return Metrics.value("tollgate_auth_token_cache_total", Map.of("result", "hit"));
    }

    static String token(RsaJsonWebKey key) {
        return Tokens.userSignedBy("rotation-" + UUID.randomUUID(), key.getKeyId(), key.getPrivateKey());
    }

    static RsaJsonWebKey newKey() throws JoseException {
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("key-" + UUID.randomUUID());
        return key;
    }

    static String publicJson(PublicJsonWebKey key) {
        return key.toJson(OutputControlLevel.PUBLIC_ONLY);
    }

    /** The test server's own key (the one {@link Tokens} signs with), as its key set publishes it. */
    static String originalKey() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("publicKey.jwk")) {
            return publicJson(PublicJsonWebKey.Factory.newPublicJwk(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException | JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    void publish(String... keys) {
        oidcServer.stubFor(get(urlEqualTo(JWKS_PATH))
                .willReturn(okJson(Arrays.stream(keys).collect(Collectors.joining(",", "{\"keys\":[", "]}")))));
    }
}
