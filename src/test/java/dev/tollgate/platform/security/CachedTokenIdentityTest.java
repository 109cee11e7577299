package dev.tollgate.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.security.Permission;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/** A cached identity serves a later request as that request's identity, not the one it was built for. */
class CachedTokenIdentityTest {

    static RoutingContext routingContext(Map<String, Object> data) {
        return (RoutingContext) Proxy.newProxyInstance(RoutingContext.class.getClassLoader(),
                new Class<?>[] { RoutingContext.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> data.get((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "routing context " + data;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void carriesThePrincipalRolesCredentialsAndAttributesWithThisRequestsContext() {
        RoutingContext first = routingContext(Map.of(AuthenticationRequestContext.class.getName(), "first's blocking api"));
        SecurityIdentity cached = QuarkusSecurityIdentity.builder()
                .setPrincipal(() -> "alice")
                .addRoles(java.util.Set.of("user", "admin"))
                .addCredential(new AccessTokenCredential("the-token"))
                .addPermissionAsString("credits:read")
                .addAttribute("tenant-id", "Default")
                .addAttribute(RoutingContext.class.getName(), first)
                .addAttribute(AuthenticationRequestContext.class.getName(), "first's blocking api")
                .build();
        RoutingContext second = routingContext(new HashMap<>());

        SecurityIdentity served = CachedTokenIdentityProvider.forThisRequest(cached, second);

        assertThat(served.getPrincipal()).isSameAs(cached.getPrincipal());
        assertThat(served.getRoles()).containsExactlyInAnyOrder("user", "admin");
        assertThat(served.getCredential(AccessTokenCredential.class).getToken()).isEqualTo("the-token");
        assertThat(served.getPermissions()).isEqualTo(cached.getPermissions()).hasSize(1);
        Permission granted = cached.getPermissions().iterator().next();
        assertThat(cached.checkPermissionBlocking(granted)).isTrue();
        assertThat(served.checkPermissionBlocking(granted)).isTrue();
        assertThat(served.<String> getAttribute("tenant-id")).isEqualTo("Default");
        assertThat(served.<Object> getAttribute(RoutingContext.class.getName())).isSameAs(second);
        assertThat(served.getAttributes()).doesNotContainKey(AuthenticationRequestContext.class.getName());
        assertThat(CachedTokenIdentityProvider.fromCache(served)).isTrue();
        assertThat(CachedTokenIdentityProvider.fromCache(cached)).isFalse();
    }

    @Test
    void takesTheBlockingApiContextOfThisRequest() {
        SecurityIdentity cached = QuarkusSecurityIdentity.builder().setPrincipal(() -> "alice")
                .addAttribute(AuthenticationRequestContext.class.getName(), "first's").build();

        SecurityIdentity served = CachedTokenIdentityProvider.forThisRequest(cached,
                routingContext(Map.of(AuthenticationRequestContext.class.getName(), "second's")));

        assertThat(served.<String> getAttribute(AuthenticationRequestContext.class.getName())).isEqualTo("second's");
    }
}
