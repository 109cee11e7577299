package dev.tollgate.provider;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;

import dev.tollgate.platform.launch.ServingStartup;

/**
 * Calls the OpenAI-compatible {@code POST {base-url}/chat/completions} of the upstream that serves a
 * model ({@link ProvidersConfig}), without blocking: Vert.x HTTP clients, one per upstream, created
 * at start-up of the HTTP function (never by the job command, which calls no upstream). Every call streams, with the usage in its last chunk, whatever the caller's client
 * asked for: bytes flow from the start, so the timeouts are idle timeouts, and the usage always
 * comes.
 *
 * <p>Per upstream:
 * <ul>
 * <li><b>Timeouts</b>, applied by this client (not {@code @Timeout}): connect timeout; first-byte
 * timeout from sending until the response headers (504 {@code provider-timeout}); idle timeout
 * between two pieces of the body; and a whole-call deadline ({@code max-call-duration}) that keeps
 * every call shorter than the hold that pays for it. The client applies them because only it can reset the HTTP
 * request when one expires (a cancelled {@code Uni} alone would leave the upstream generating), the
 * values differ per upstream, and a whole-call deadline would cut long streams.</li>
 * <li><b>Concurrency limit</b> ({@code max-concurrent}): a permit per request, held until its body
 * has been read (for a stream: until the stream ends), so open streams count too; the next request
 * is refused at once with 503 {@code provider-busy}. (A Fault Tolerance {@code @Bulkhead} only
 * spans the {@code Uni}, i.e. the opening of a stream, and cannot take its limit per upstream.)</li>
 * <li><b>Circuit breaker</b> (SmallRye Fault Tolerance, programmatic {@code Guard}, named
 * {@code tollgate-provider-<name>}): around the opening of {@link #stream} only.
 * {@link ProviderFailure}s of the upstream (5xx, connection, malformed answers) count; 400, 429
 * and timeouts do not (a call may be slow because of what it asks). Open → 503 {@code provider-unavailable} with {@code Retry-After}.</li>
 * <li>No retries: a chat call is not idempotent for the caller's credits, and a stream may already
 * have produced output.</li>
 * </ul>
 *
 * <p>Threading: both methods return at once and may be called from any thread; their results and
 * every stream item arrive on a Vert.x event-loop thread, where nothing may block.
 */
@ApplicationScoped
public class ProviderClient implements ServingStartup {

    private static final Logger LOG = Logger.getLogger(ProviderClient.class);
    private static final TypeLiteral<Uni<ProviderStream>> STREAM = new TypeLiteral<>() {
    };

    private final ProvidersConfig config;
    private final io.vertx.core.Vertx vertx;
    private final Map<String, Upstream> upstreams;

    @Inject
    public ProviderClient(ProvidersConfig config, io.vertx.mutiny.core.Vertx vertx) {
        this.config = config;
        this.vertx = vertx.getDelegate();
        Map<String, String> servedBy = new HashMap<>();
        Map<String, Upstream> created = new TreeMap<>();
        for (Map.Entry<String, ProvidersConfig.Upstream> entry : new TreeMap<>(config.upstreams()).entrySet()) {
            if (!entry.getValue().enabled()) {
                LOG.infof("provider upstream %s is disabled", entry.getKey());
                continue;
            }
            for (String model : entry.getValue().models()) {
                String other = servedBy.putIfAbsent(model, entry.getKey());
                if (other != null) {
                    throw new IllegalStateException("model " + model + " is listed by two upstreams, tollgate.providers."
                            + other + " and tollgate.providers." + entry.getKey());
                }
            }
            created.put(entry.getKey(), new Upstream(entry.getKey(), entry.getValue(), vertx));
        }
        this.upstreams = Collections.unmodifiableMap(created);
        created.forEach((name, upstream) -> LOG.infof("provider upstream %s: %d model(s)", name,
                upstream.config.models().size()));
    }

    @PreDestroy
    void close() {
        upstreams.values().forEach(Upstream::close);
    }

    /** Whether an upstream serves the model. */
    public boolean serves(String model) {
        return model != null && upstreams.values().stream().anyMatch(u -> u.config.models().contains(model));
    }

    /**
     * Refuses a model no upstream serves, before anything is reserved or sent.
     *
     * @throws ModelNotServedException (422 {@code model-not-served})
     */
    public void requireServed(String model) {
        config.upstreamFor(model);
    }

    /** The models served, for diagnostics. */
    public Set<String> models() {
        return upstreams.values().stream().flatMap(u -> u.config.models().stream())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * A streaming chat completion. The body is sent as given, except {@code model} (set to the
     * argument), {@code stream} (true) and {@code stream_options.include_usage} (forced true, other
     * stream options kept), so that the last chunk carries the usage.
     *
     * @return the stream, once the upstream answered 2xx with its headers and before any chunk was
     *         read; fails with {@link ModelNotServedException} (422),
     *         {@link ProviderRequestRejectedException} (400), {@link ProviderFailure} (502/504) or
     *         {@link ProviderUnavailableException} (503). Failures after that arrive through
     *         {@link ProviderStream#events()}, never through this Uni, and are never retried.
     */
    public Uni<ProviderStream> stream(String model, JsonObject body) {
        return Uni.createFrom().deferred(() -> {
            Upstream upstream = upstream(model);
            JsonObject request = body.copy().put("model", model).put("stream", true);
            Object options = request.getValue("stream_options");
            JsonObject streamOptions = options instanceof JsonObject object ? object.copy() : new JsonObject();
            request.put("stream_options", streamOptions.put("include_usage", true));
            Buffer payload = request.toBuffer();
            Exchange exchange = new Exchange(upstream, model, vertx);
            return upstream.guarded(() -> exchange.send(payload, true)
                    .onItem().transformToUni(exchange::requireSuccess)
                    .onItem().transformToUni(response -> eventStream(exchange, response)), STREAM)
                    .onTermination().invoke((stream, failure, cancelled) -> {
                        if (failure != null || cancelled) {
                            exchange.abort();
                        }
                    });
        }).onFailure(ProviderClient::closedBeforeAnswer).retry().atMost(1);
    }

    /**
     * A pooled connection that the upstream had closed while idle fails a request before any
     * answer: nothing was processed, so that one case is retried, once, on a new connection.
     * Nothing else is ever retried, and never once a byte of an answer has arrived.
     */
    private static boolean closedBeforeAnswer(Throwable failure) {
        return failure instanceof ProviderFailure provider && provider.reason() == ProviderFailure.Reason.CONNECTION_CLOSED;
    }

    private Upstream upstream(String model) {
        return upstreams.get(config.upstreamFor(model));
    }

    private Uni<ProviderStream> eventStream(Exchange exchange, HttpClientResponse response) {
        String contentType = response.getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
            return Uni.createFrom().failure(exchange.failure(ProviderFailure.Reason.MALFORMED_RESPONSE, 0,
                    "a stream was asked for, the content type is not text/event-stream"));
        }
        return Uni.createFrom().item(new ProviderStream(exchange, response, exchange.context()));
    }

    /** Calls in progress on an upstream, for tests and diagnostics. */
    int inFlight(String upstream) {
        return upstreams.get(upstream).inFlight();
    }

    /** Our name of the upstream's circuit breaker, for {@code CircuitBreakerMaintenance}. */
    public static String circuitBreakerName(String upstream) {
        return "tollgate-provider-" + upstream;
    }
}
