package dev.tollgate.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/**
 * What every test runs against, for {@code @QuarkusTest} and for the packaged application under
 * {@code @QuarkusIntegrationTest} alike: a real PostgreSQL (the embedded one, unless
 * {@code QUARKUS_DATASOURCE_JDBC_URL} names another) and the Quarkus OIDC test server, whose
 * JWKS verifies the signed tokens that {@link Tokens} mints.
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
        return config;
    }

    @Override
    public void stop() {
        oidc.stop();
    }

}
