package dev.tollgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/**
 * What every test runs against, for {@code @QuarkusTest} and for the packaged application under
 * {@code @QuarkusIntegrationTest} alike: a real PostgreSQL (the embedded one, unless
 * {@code QUARKUS_DATASOURCE_JDBC_URL} names another), the Quarkus OIDC test server, whose
 * JWKS verifies the signed tokens that {@link Tokens} mints, and the {@link FakeProvider}, which
 * serves every seeded model (plus models of upstreams of their own, for the tests of the circuit
 * breaker and of the concurrency limit, whose state must not touch other tests, and of a refused
 * connection).
 */
public class TollgateTestResources implements QuarkusTestResourceLifecycleManager {

    private final OidcWiremockTestResource oidc = new OidcWiremockTestResource();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        String url = TestDatabase.jdbcUrl();
        config.put("quarkus.datasource.jdbc.url", url);
        config.put("quarkus.datasource.username", TestDatabase.user());
        config.put("quarkus.datasource.password", TestDatabase.password());
        Map<String, String> oidcConfig = oidc.start();
        config.put("quarkus.oidc.auth-server-url", oidcConfig.get("keycloak.url") + "/realms/quarkus/");
        config.put("quarkus.oidc.token.audience", Tokens.AUDIENCE);
        // The packaged application of the integration tests (prod profile) serves its management interface on
        // a free port (a @QuarkusTest takes one from the operating system: %test.quarkus.management.test-port=0).
        String managementPort = String.valueOf(freePort());
        config.put("quarkus.management.port", managementPort);
        System.setProperty(Management.PACKAGED_APP_PORT, managementPort);
        // Tests run jobs themselves (in the packaged app too); the compensation batch gives up after
        // 3 attempts, retried at once.
        config.put("quarkus.scheduler.enabled", "false");
        config.put("tollgate.jobs.process-compensations.max-attempts", "3");
        config.put("tollgate.jobs.process-compensations.backoff", "PT0S");
        // Prices are cached as briefly as in the test profile, in the packaged app too (its prod profile keeps
        // them 30 s), so that the tests of a price change and of the price fallback hold for both.
        config.put("tollgate.pricing.cache-ttl", "PT1S");

        // Rate limits stay on (the PostgreSQL store, as in production) but far above what any test
        // sends, so that no test is throttled; the tests of package ratelimit set limits of their own
        // in test profiles.
        config.put("tollgate.rate-limit.general.limit", String.valueOf(GENEROUS_LIMIT));
        config.put("tollgate.rate-limit.messages.limit", String.valueOf(GENEROUS_LIMIT));
        config.put("tollgate.rate-limit.sensitive.limit", String.valueOf(GENEROUS_LIMIT));
        config.put("tollgate.rate-limit.webhooks.limit", String.valueOf(GENEROUS_LIMIT));
        // A streaming client that reads nothing for 2 s is let go (the tests of a stalled client).
        config.put("tollgate.chat.client-write-timeout", "2s");
        // The one web-app origin allowed by CORS in the tests.
        config.put("quarkus.http.cors.origins", WEB_ORIGIN);
        FakeProvider fake = FakeProvider.start();
        upstream(config, "fake", fake, String.join(",", FakeProvider.SEEDED_MODELS));
        upstream(config, "fake-circuit", fake, CIRCUIT_TEST_MODEL);
        config.put("tollgate.providers.fake-circuit.circuit-breaker.request-volume-threshold", "4");
        config.put("tollgate.providers.fake-circuit.circuit-breaker.delay", "30s");
        upstream(config, "fake-narrow", fake, NARROW_TEST_MODEL);
        config.put("tollgate.providers.fake-narrow.max-concurrent", "1");
        upstream(config, "fake-short", fake, SHORT_CALL_TEST_MODEL);
        config.put("tollgate.providers.fake-short.max-call-duration", "2s");
        // Nothing listens on port 1 of the loopback: every call is refused at connect.
        upstream(config, "fake-down", fake, DOWN_TEST_MODEL);
        config.put("tollgate.providers.fake-down.base-url", "http://127.0.0.1:1/v1");
        // The packaged application of the integration tests runs in the prod profile, whose real OpenAI
        // upstream lists models the fake serves here: it is switched off (and never called from a test).
        config.put("%prod.tollgate.providers.openai.enabled", "false");
        return config;
    }

    /** Requests per tier and period allowed in the tests: more than any test sends. */
    public static final int GENEROUS_LIMIT = 1_000_000;
    /** The web-app origin CORS allows in the tests. */
    public static final String WEB_ORIGIN = "https://chat.example.test";

    /** Served by an upstream of its own whose circuit a test opens on purpose. */
    public static final String CIRCUIT_TEST_MODEL = "circuit-test-model";
    /** Served by an upstream of its own that allows one call at a time. */
    public static final String NARROW_TEST_MODEL = "narrow-test-model";
    /** Served by an upstream whose calls may run 2 s at most. */
    public static final String SHORT_CALL_TEST_MODEL = "short-call-test-model";
    /** Served by an upstream that refuses every connection. */
    public static final String DOWN_TEST_MODEL = "down-test-model";

    private static void upstream(Map<String, String> config, String name, FakeProvider fake, String models) {
        String prefix = "tollgate.providers." + name + ".";
        config.put(prefix + "base-url", fake.baseUrl());
        config.put(prefix + "api-key", FakeProvider.API_KEY);
        config.put(prefix + "models", models);
        // Short, so that the tests of stalls and drops stay fast.
        config.put(prefix + "connect-timeout", "2s");
        config.put(prefix + "first-byte-timeout", "2s");
        config.put(prefix + "idle-timeout", "2s");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hands the OIDC test server to a test's {@code @OidcWireMock WireMockServer} field (to change its key set). */
    @Override
    public void inject(TestInjector testInjector) {
        oidc.inject(testInjector);
    }

    @Override
    public void stop() {
        oidc.stop();
        // The fake provider, like the database, lives as long as the JVM: other Quarkus applications
        // of the same test run (test profiles, integration tests) are started against it again.
    }

}
