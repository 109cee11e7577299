package dev.tollgate.platform.http;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;

/**
 * The client IP of a request, the one answer for everything that needs it (the rate limits' key
 * of a caller without a valid token, the audit trail): the rightmost {@code X-Forwarded-For}
 * address that is not a trusted proxy, when the TCP peer is a trusted proxy; otherwise the peer
 * (see {@link TrustedProxies}). Quarkus' own forwarding support is off
 * ({@code quarkus.http.proxy.proxy-address-forwarding=false}): it would take the leftmost entry,
 * which the client writes, so the request's remote address here is always the TCP peer.
 *
 * <p>Created at start-up, so that a malformed {@code tollgate.http.trusted-proxies} stops the
 * start rather than the first request.
 */
@Startup
@Singleton
public class ClientIp {

    static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private final TrustedProxies proxies;

    @Inject
    public ClientIp(TrustedProxiesConfig config) {
        try {
            this.proxies = TrustedProxies.of(config.trustedProxies().orElse(List.of()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("tollgate.http.trusted-proxies (TOLLGATE_TRUSTED_PROXIES): " + e.getMessage(), e);
        }
    }

    /** The client IP of the request; {@code null} when the connection has no remote address. */
    public String of(HttpServerRequest request) {
        if (request.remoteAddress() == null) {
            return null;
        }
        String peer = request.remoteAddress().hostAddress();
        if (proxies.isEmpty()) {
            return proxies.clientIp(peer, List.of());
        }
        return proxies.clientIp(peer, request.headers().getAll(X_FORWARDED_FOR));
    }
}
