package dev.tollgate.platform.security;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What Tollgate checks of a bearer token beyond what Quarkus OIDC checks itself ({@link TokenClaimChecks}). */
@ConfigMapping(prefix = "tollgate.auth")
public interface AuthConfig {

    /**
     * The value the token's {@code typ} claim must have: Keycloak's access tokens say
     * {@code Bearer}, its ID tokens {@code ID}. Empty or {@code none}: the claim is not checked
     * (for a provider whose access tokens carry no such claim).
     */
    @WithDefault("Bearer")
    Optional<String> tokenType();
}
