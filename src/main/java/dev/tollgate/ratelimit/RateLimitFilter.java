package dev.tollgate.ratelimit;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;

import dev.tollgate.platform.http.ClientIp;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;

/**
 * Applies the rate limits to every call of the API, before the body is read and before the
 * resource runs: over the limit, 429 problem details with {@code Retry-After}; either way the
 * IETF {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (and
 * {@code RateLimit-Policy}) headers.
 *
 * <p>Who is counted is decided in a pre-matching filter: authentication is lazy, so the filter
 * asks for the request's identity itself — the same deferred identity the security checks use
 * afterwards, so a token is verified once — and a request with no or an invalid token counts as
 * anonymous, by its client IP.
 *
 * <p>The check itself is made by the ordinary request filter, on the thread the resource runs on
 * (a worker thread for a blocking endpoint): the check does JDBC, and making it on the event
 * loop's behalf would cost two more thread hand-offs per request. So only a request that would be
 * served can be refused with 429. A request refused before that filter — 401 for a missing,
 * expired or invalid token, 403 from a role check, 404, 405, 415 — is counted when its answer is
 * written, and keeps its answer: a client whose token expired is told 401, which makes it fetch a
 * fresh one, however many bad tokens its address (or a proxy it shares) has sent; a 429 would
 * spare nothing, since the refused request does no work, and would not slow anyone guessing
 * tokens, since a valid token is counted as its user and never in the anonymous bucket.
 */
public class RateLimitFilter {

    static final String DECISION = RateLimitFilter.class.getName() + ".decision";
    /** The check of a request, not made yet. */
    static final String PENDING = RateLimitFilter.class.getName() + ".pending";

    @Inject
    RateLimiter limiter;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    ClientIp clientIps;

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> limit(ContainerRequestContext request, HttpServerRequest http) {
        if (!limiter.enabled()) {
            return Uni.createFrom().nullItem();
        }
        Tier tier = Tier.of(request.getMethod(), request.getUriInfo().getPath());
        if (tier == null) {
            return Uni.createFrom().nullItem();
        }
        String clientIp = clientIps.of(http);
        return identities.getDeferredIdentity().onItemOrFailure().transformToUni((identity, failure) -> {
            Caller caller = failure == null ? callerOf(identity, clientIp) : Caller.anonymous(clientIp);
            request.setProperty(PENDING, new Check(caller, tier));
            return Uni.createFrom().nullItem();
        });
    }

    /** The pending check, where the resource runs: only a request that would be served can be refused. */
    @ServerRequestFilter
    public Uni<Response> limitServed(ContainerRequestContext request) {
        Check pending = takePending(request);
        return pending == null ? Uni.createFrom().nullItem() : decide(request, pending);
    }

    @ServerResponseFilter
    public Uni<Void> headers(ContainerRequestContext request, ContainerResponseContext response) {
        Check pending = takePending(request);
        if (pending != null) {
            // Refused before the resource's filters ran: counted all the same; the answer stays.
            return run(pending).invoke(decision -> {
                if (decision != null) {
                    addHeaders(response.getHeaders(), decision);
                }
            }).replaceWithVoid();
        }
        if (request.getProperty(DECISION) instanceof Decision decision) {
            addHeaders(response.getHeaders(), decision);
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Response> decide(ContainerRequestContext request, Check check) {
        return run(check).map(outcome -> {
            if (outcome == null) {
                return null;
            }
            request.setProperty(DECISION, outcome);
            return outcome.admitted() ? null : tooManyRequests(outcome);
        });
    }

    /** Makes the check on this thread if it may block (or the store does not), else on a worker thread. */
    private Uni<Decision> run(Check check) {
        if (!limiter.blocking() || BlockingOperationControl.isBlockingAllowed()) {
            return Uni.createFrom().item(limiter.check(check.caller(), check.tier()));
        }
        return Uni.createFrom().item(() -> limiter.check(check.caller(), check.tier()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static Check takePending(ContainerRequestContext request) {
        if (request.getProperty(PENDING) instanceof Check check) {
            request.removeProperty(PENDING);
            return check;
        }
        return null;
    }

    private record Check(Caller caller, Tier tier) {
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
        Response response = Problem.of(ProblemType.RATE_LIMITED,
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
