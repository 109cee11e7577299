package dev.tollgate.platform.security;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What Tollgate checks of a bearer token beyond what Quarkus OIDC checks itself, and how it keeps
 * the provider's signing keys current ({@link TokenClaimChecks}, {@link SigningKeyRefresh}).
 */
@ConfigMapping(prefix = "tollgate.auth")
public interface AuthConfig {

    /**
     * The value the token's {@code typ} claim must have: Keycloak's access tokens say
     * {@code Bearer}, its ID tokens {@code ID}. Empty or {@code none}: the claim is not checked
     * (for a provider whose access tokens carry no such claim).
     */
    @WithDefault("Bearer")
    Optional<String> tokenType();

    /** The provider's signing keys (its JWKS). */
    SigningKeys signingKeys();

    interface SigningKeys {

        /**
         * How often the provider's key set is fetched again when nothing else made OIDC fetch it:
         * a key the provider has withdrawn stops being trusted within this long. At least
         * {@code quarkus.oidc.token.forced-jwk-refresh-interval} (checked at start-up), which is
         * also how soon a key id OIDC does not know makes it fetch the key set.
         */
        @WithDefault("PT5M")
        Duration refreshInterval();
    }
}
