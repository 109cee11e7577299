package dev.tollgate.platform.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The caller of this request, as the OIDC token says. The user id is always the token's
 * {@code sub}: no request body or path ever names the user a call acts on (admin calls aside).
 */
@RequestScoped
public class CurrentUser {

    static final int MAX_USER_ID_LENGTH = 255;

    @Inject
    JsonWebToken token;

    @Inject
    SecurityIdentity identity;

    /**
     * The prefix of the account ids of team pools: a subject with it could be taken for a pool, so a
     * token with one is not accepted.
     */
    static final String POOL_ACCOUNT_PREFIX = "team:";

    /** The token's subject; a token without a usable one is not accepted. */
    public String id() {
        String subject = token.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > MAX_USER_ID_LENGTH
                || subject.startsWith(POOL_ACCOUNT_PREFIX)) {
            throw new AuthenticationFailedException("token has no usable subject");
        }
        return subject;
    }

    public boolean isAdmin() {
        return identity.hasRole("admin");
    }
}
