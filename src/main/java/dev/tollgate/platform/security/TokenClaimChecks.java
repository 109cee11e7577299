package dev.tollgate.platform.security;

import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwt.consumer.Validator;

import io.quarkus.arc.Unremovable;

/**
 * The checks of a token's claims that Quarkus OIDC does not make itself. OIDC runs them with its
 * own (a jose4j {@link Validator} bean), after the signature, issuer, audience, {@code exp} and
 * {@code nbf} have passed; a failed check makes the token invalid (401), so it never reaches the
 * cache of verified tokens either. The token type: an API accepts access tokens only, and Keycloak's ID tokens are signed by the
 * same key and may name the API's client as their audience: the {@code typ} claim must equal
 * {@code tollgate.auth.token-type} ({@code Bearer}).
 */
@Unremovable
@ApplicationScoped
public class TokenClaimChecks implements Validator {

    static final String TYPE_CLAIM = "typ";
    private static final String NO_TYPE_CHECK = "none";

    @Inject
    AuthConfig config;

    private Optional<String> requiredType;

    /** Checks outside CDI (for tests). */
    static TokenClaimChecks of(Optional<String> tokenType) {
        TokenClaimChecks checks = new TokenClaimChecks();
        checks.start(tokenType);
        return checks;
    }

    @PostConstruct
    void init() {
        start(config.tokenType());
    }

    private void start(Optional<String> tokenType) {
        this.requiredType = tokenType.map(String::strip).filter(type -> !type.isEmpty() && !NO_TYPE_CHECK.equalsIgnoreCase(type));
    }

    @Override
    public String validate(JwtContext context) throws MalformedClaimException {
        JwtClaims claims = context.getJwtClaims();
        if (requiredType.isPresent() && !requiredType.get().equals(claims.getClaimValue(TYPE_CLAIM))) {
            return "the " + TYPE_CLAIM + " claim is not " + requiredType.get() + ": not an access token";
        }
        return null;
    }
}
