package dev.tollgate.platform.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Puts each identity built from a verified bearer token into {@link VerifiedTokens}, before any
 * other augmentor changes it ({@link #priority()}): augmentors run again on a cached identity, as
 * on a freshly verified one. Only an authenticated identity reaches augmentors, so a token that
 * failed verification is never remembered.
 */
@ApplicationScoped
public class VerifiedTokenRecorder implements SecurityIdentityAugmentor {

    @Inject
    VerifiedTokens verifiedTokens;

    @Override
    public int priority() {
        return Integer.MAX_VALUE;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        // An identity answered from the cache is not remembered again: that would extend its trust.
        if (!identity.isAnonymous() && !CachedTokenIdentityProvider.fromCache(identity)) {
            AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
            if (credential != null) {
                verifiedTokens.remember(credential.getToken(), identity);
            }
        }
        return Uni.createFrom().item(identity);
    }
}
