package dev.tollgate.platform.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a bearer token that OIDC verified a moment ago from {@link VerifiedTokens}; any other
 * token gets no answer here (a {@code null} identity), and Quarkus hands it to the OIDC provider,
 * which comes after this one ({@link #priority()}). The cached identity is the one OIDC built,
 * with this request's routing context in place of the one it was built for, and marked as
 * answered from the cache (so that {@link VerifiedTokenRecorder} does not remember it again).
 */
@ApplicationScoped
public class CachedTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    /**
     * Providers are asked from the highest priority down; OIDC's has the default, 1001
     * ({@code IdentityProvider.priority()}), so this one is asked first.
     */
    static final int PRIORITY = 2001;

    static final String FROM_CACHE = CachedTokenIdentityProvider.class.getName() + ".from-cache";
    private static final String ROUTING_CONTEXT = RoutingContext.class.getName();
    private static final String BLOCKING_API = AuthenticationRequestContext.class.getName();
    private static final Set<String> PER_REQUEST_ATTRIBUTES = Set.of(ROUTING_CONTEXT, BLOCKING_API, FROM_CACHE);

    @Inject
    VerifiedTokens verifiedTokens;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        RoutingContext routingContext = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (!(request.getToken() instanceof AccessTokenCredential credential) || routingContext == null) {
            return Uni.createFrom().nullItem();
        }
        return verifiedTokens.find(credential.getToken())
                .map(cached -> Uni.createFrom().item(forThisRequest(cached, routingContext)))
                .orElseGet(() -> Uni.createFrom().nullItem());
    }

    /** Whether an identity was answered from the cache (and not verified by OIDC for this request). */
    static boolean fromCache(SecurityIdentity identity) {
        return Boolean.TRUE.equals(identity.getAttribute(FROM_CACHE));
    }

    /**
     * The cached identity for this request: its principal, roles, credentials, permissions and
     * attributes, except the per-request attributes OIDC sets (the routing context and the
     * blocking-API context of the request it was built for), which are this request's.
     */
    static SecurityIdentity forThisRequest(SecurityIdentity cached, RoutingContext routingContext) {
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(cached.getPrincipal())
                .addRoles(cached.getRoles())
                .addCredentials(cached.getCredentials())
                .addPermissions(cached.getPermissions())
                .addPermissionChecker(cached::checkPermission);
        cached.getAttributes().forEach((name, value) -> {
            if (!PER_REQUEST_ATTRIBUTES.contains(name)) {
                identity.addAttribute(name, value);
            }
        });
        identity.addAttribute(ROUTING_CONTEXT, routingContext);
        Object blockingApi = routingContext.get(BLOCKING_API);
        if (blockingApi != null) {
            identity.addAttribute(BLOCKING_API, blockingApi);
        }
        return identity.addAttribute(FROM_CACHE, Boolean.TRUE).build();
    }
}
