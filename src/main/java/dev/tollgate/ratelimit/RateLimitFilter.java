package dev.tollgate.ratelimit;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;

import dev.tollgate.platform.problem.Problem;

/**
 * Applies the rate limits to every call of the API, before the body is read and before the
 * resource runs: over the limit, 429 problem details with {@code Retry-After}; either way the
 * IETF {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (and
 * {@code RateLimit-Policy}) headers.
 *
 * <p>It is a pre-matching filter so that it also counts requests that authentication will refuse
 * (those are limited per client IP). Authentication is lazy: the filter asks for the request's
 * identity itself — the same deferred identity the security checks use afterwards, so a token is
 * verified once — and a request with no or an invalid token counts as anonymous.
 */
public class RateLimitFilter {

    static final String DECISION = RateLimitFilter.class.getName() + ".decision";

    @Inject
    RateLimiter limiter;

    @Inject
    CurrentIdentityAssociation identities;

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> limit(ContainerRequestContext request, HttpServerRequest http) {
        if (!limiter.enabled()) {
            return Uni.createFrom().nullItem();
        }
        Tier tier = Tier.of(request.getMethod(), request.getUriInfo().getPath());
        if (tier == null) {
            return Uni.createFrom().nullItem();
        }
        String clientIp = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        Uni<Caller> caller = identities.getDeferredIdentity()
                .map(identity -> callerOf(identity, clientIp))
                .onFailure().recoverWithItem(() -> Caller.anonymous(clientIp));
        Uni<Decision> decision = caller.chain(who -> {
            Uni<Decision> check = Uni.createFrom().item(() -> limiter.check(who, tier));
            return limiter.blocking() ? check.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : check;
        });
        return decision.map(outcome -> {
            if (outcome == null) {
                return null;
            }
            request.setProperty(DECISION, outcome);
            return outcome.admitted() ? null : tooManyRequests(outcome);
        });
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(DECISION) instanceof Decision decision) {
            addHeaders(response.getHeaders(), decision);
        }
    }

    private static Caller callerOf(SecurityIdentity identity, String clientIp) {
        if (identity == null || identity.isAnonymous()) {
            return Caller.anonymous(clientIp);
        }
        if (identity.getPrincipal() instanceof JsonWebToken token && token.getSubject() != null
                && !token.getSubject().isBlank()) {
            return Caller.user(token.getSubject());
        }
        return Caller.anonymous(clientIp);
    }

    static Response tooManyRequests(Decision decision) {
        Quota quota = decision.quota();
        Response response = Problem.of("rate-limited", "Too many requests", 429,
                "At most " + quota.limit() + " requests per " + describe(quota) + " in the '" + decision.tier().key()
                        + "' tier; retry in " + decision.retryAfterSeconds() + " s.")
                .with("tier", decision.tier().key())
                .with("limit", quota.limit())
                .with("periodSeconds", quota.period().toSeconds())
                .with("retryAfterSeconds", decision.retryAfterSeconds())
                .toResponse();
        response.getHeaders().putSingle("Retry-After", String.valueOf(decision.retryAfterSeconds()));
        addHeaders(response.getHeaders(), decision);
        return response;
    }

    static void addHeaders(MultivaluedMap<String, Object> headers, Decision decision) {
        headers.putSingle("RateLimit-Limit", String.valueOf(decision.quota().limit()));
        headers.putSingle("RateLimit-Remaining", String.valueOf(decision.remaining()));
        headers.putSingle("RateLimit-Reset", String.valueOf(decision.resetSeconds()));
        headers.putSingle("RateLimit-Policy", decision.quota().limit() + ";w=" + decision.quota().period().toSeconds());
    }

    private static String describe(Quota quota) {
        long seconds = quota.period().toSeconds();
        return seconds % 60 == 0 ? (seconds / 60) + " min" : seconds + " s";
    }
}
