package dev.tollgate.platform.security;

import java.util.Optional;
import java.util.function.LongSupplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwt.consumer.Validator;

import io.quarkus.arc.Unremovable;

/**
 * The checks of a token's claims that Quarkus OIDC does not make itself. OIDC runs them with its
 * own (a jose4j {@link Validator} bean), after the signature, issuer, audience, {@code exp} and
 * {@code nbf} have passed; a failed check makes the token invalid (401), so it never reaches the
 * cache of verified tokens either:
 * <ul>
 * <li>the token type: an API accepts access tokens only, and Keycloak's ID tokens are signed by
 * the same key and may name the API's client as their audience. The {@code typ} claim must equal
 * {@code tollgate.auth.token-type} ({@code Bearer});</li>
 * <li>the issue time: {@code iat} no later than now plus the tolerance for clock skew, the
 * {@code quarkus.oidc.token.lifespan-grace} OIDC allows on {@code exp} and {@code nbf} (OIDC
 * requires an {@code iat} but does not compare it with the clock).</li>
 * </ul>
 */
@Unremovable
@ApplicationScoped
public class TokenClaimChecks implements Validator {

    static final String TYPE_CLAIM = "typ";
    private static final String NO_TYPE_CHECK = "none";

    @Inject
    AuthConfig config;

    @ConfigProperty(name = "quarkus.oidc.token.lifespan-grace", defaultValue = "0")
    int lifespanGraceSeconds;

    private Optional<String> requiredType;
    private long clockSkewSeconds;
    private LongSupplier wallClockSeconds = () -> System.currentTimeMillis() / 1000;

    /** Checks outside CDI, with their own clock (for tests). */
    static TokenClaimChecks of(Optional<String> tokenType, int clockSkewSeconds, LongSupplier wallClockSeconds) {
        TokenClaimChecks checks = new TokenClaimChecks();
        checks.wallClockSeconds = wallClockSeconds;
        checks.start(tokenType, clockSkewSeconds);
        return checks;
    }

    @PostConstruct
    void init() {
        start(config.tokenType(), lifespanGraceSeconds);
    }

    private void start(Optional<String> tokenType, int clockSkewSeconds) {
        this.requiredType = tokenType.map(String::strip).filter(type -> !type.isEmpty() && !NO_TYPE_CHECK.equalsIgnoreCase(type));
        this.clockSkewSeconds = Math.max(0, clockSkewSeconds);
    }

    @Override
    public String validate(JwtContext context) throws MalformedClaimException {
        JwtClaims claims = context.getJwtClaims();
        if (requiredType.isPresent() && !requiredType.get().equals(claims.getClaimValue(TYPE_CLAIM))) {
            return "the " + TYPE_CLAIM + " claim is not " + requiredType.get() + ": not an access token";
        }
        NumericDate issuedAt = claims.getIssuedAt();
        if (issuedAt != null && issuedAt.getValue() > wallClockSeconds.getAsLong() + clockSkewSeconds) {
            return "the " + Claims.iat.name() + " claim is more than " + clockSkewSeconds + " s in the future";
        }
        return null;
    }
}
