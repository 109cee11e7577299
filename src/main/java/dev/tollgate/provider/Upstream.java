package dev.tollgate.provider;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * One configured upstream at run time: its HTTP client (created once, keep-alive, a pool as large
 * as its concurrency limit), its concurrency limit and its circuit breaker (SmallRye Fault
 * Tolerance, one per upstream, named {@code tollgate-provider-<name>}).
 */
final class Upstream {

    private static final Logger LOG = Logger.getLogger(ProviderClient.class);
    private static final Pattern KEY_LIKE = Pattern.compile("\\b(sk|pk|rk)-[A-Za-z0-9_\\-]{6,}");
    private static final int MAX_RELAYED_MESSAGE = 500;

    final String name;
    final ProvidersConfig.Upstream config;
    final String circuitBreakerName;
    private final io.vertx.mutiny.core.http.HttpClient mutinyClient;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String path;
    private final Semaphore permits;
    private final Guard guard;
    private final long circuitDelayMillis;
    private volatile long circuitOpenedAtNanos;

    Upstream(String name, ProvidersConfig.Upstream config, io.vertx.mutiny.core.Vertx vertx) {
        this.name = name;
        this.config = config;
        this.circuitBreakerName = ProviderClient.circuitBreakerName(name);
        URI base = parse(name, config.baseUrl());
        this.ssl = base.getScheme().equalsIgnoreCase("https");
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        this.path = (basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath) + "/chat/completions";
        int maxConcurrent = config.maxConcurrent();
        this.permits = new Semaphore(maxConcurrent);
        HttpClientOptions options = new HttpClientOptions()
                .setName(circuitBreakerName)
                .setDefaultHost(host)
                .setDefaultPort(port)
                .setSsl(ssl)
                .setForceSni(ssl)
                .setVerifyHost(true)
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setPipelining(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        // A permit is held for the whole exchange, so the pool never has more requests than connections;
        // its queue only absorbs connections that are still draining the end of a finished stream.
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(maxConcurrent).setMaxWaitQueueSize(maxConcurrent);
        this.mutinyClient = vertx.createHttpClient(options, pool);
        ProvidersConfig.CircuitBreaker breaker = config.circuitBreaker();
        this.circuitDelayMillis = breaker.delay().toMillis();
        this.guard = Guard.create()
                .withDescription(circuitBreakerName)
                .withCircuitBreaker()
                .name(circuitBreakerName)
                .requestVolumeThreshold(breaker.requestVolumeThreshold())
                .failureRatio(breaker.failureRatio())
                .delay(circuitDelayMillis, ChronoUnit.MILLIS)
                .successThreshold(1)
                // Only the upstream's own faults open the circuit; 400 (the caller's request), 429 and
                // timeouts (a slow call may be slow because of what it asks) do not.
                .when(failure -> failure instanceof ProviderFailure provider && provider.countsAgainstUpstream())
                .onStateChange(this::circuitChanged)
                .done()
                .build();
    }

    private static URI parse(String name, String baseUrl) {
        URI uri;
        try {
            uri = URI.create(baseUrl.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("tollgate.providers." + name + ".base-url is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalStateException("tollgate.providers." + name + ".base-url must be an http or https URL with a host");
        }
        return uri;
    }

    HttpClient client() {
        return mutinyClient.getDelegate();
    }

    RequestOptions requestOptions(boolean streaming) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setSsl(ssl)
                .setURI(path)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, streaming ? "text/event-stream" : "application/json")
                .putHeader(HttpHeaders.USER_AGENT, "tollgate");
        apiKey().ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        return options;
    }

    private Optional<String> apiKey() {
        return config.apiKey().filter(key -> !key.isBlank());
    }

    /** Takes one of the upstream's concurrency permits, or refuses with 503 {@code provider-busy}. */
    void acquire() {
        if (!permits.tryAcquire()) {
            LOG.warnf("upstream %s: %d calls in progress, call refused", name, config.maxConcurrent());
            throw ProviderUnavailableException.busy(name, "concurrency limit reached", 1);
        }
    }

    void releasePermit() {
        permits.release();
    }

    /** Permits in use, for tests and diagnostics. */
    int inFlight() {
        return config.maxConcurrent() - permits.availablePermits();
    }

    /**
     * Runs an async call through the circuit breaker. Nothing happens before subscription; an open
     * circuit fails with 503 {@code provider-unavailable}.
     */
    <T> Uni<T> guarded(Supplier<Uni<T>> call, TypeLiteral<Uni<T>> type) {
        return Uni.createFrom().deferred(() -> guard.get(call, type))
                .onFailure(CircuitBreakerOpenException.class)
                .transform(e -> ProviderUnavailableException.circuitOpen(name, retryAfterSeconds()));
    }

    private long retryAfterSeconds() {
        long openForMillis = (System.nanoTime() - circuitOpenedAtNanos) / 1_000_000;
        long remainingMillis = Math.max(0, circuitDelayMillis - openForMillis);
        return Math.max(1, (remainingMillis + 999) / 1000);
    }

    private void circuitChanged(CircuitBreakerState state) {
        if (state == CircuitBreakerState.OPEN) {
            circuitOpenedAtNanos = System.nanoTime();
            LOG.errorf("upstream %s: circuit breaker opened after repeated failures; calls refused for %d ms", name,
                    circuitDelayMillis);
        } else {
            LOG.infof("upstream %s: circuit breaker %s", name, state.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    /**
     * A text of the upstream made safe to show or log: no API key (ours, or anything that looks like
     * one), no host or base URL of the upstream, at most 500 characters.
     */
    String sanitize(String text) {
        if (text == null) {
            return null;
        }
        String safe = text;
        Optional<String> key = apiKey();
        if (key.isPresent()) {
            safe = safe.replace(key.get(), "***");
        }
        safe = safe.replace(config.baseUrl().trim(), "[provider]");
        safe = safe.replace(host, "[provider]");
        safe = KEY_LIKE.matcher(safe).replaceAll("$1-***");
        if (safe.length() > MAX_RELAYED_MESSAGE) {
            safe = safe.substring(0, MAX_RELAYED_MESSAGE) + "…";
        }
        return safe;
    }

    void close() {
        mutinyClient.close().subscribe().with(ignored -> {
        }, failure -> LOG.debugf("upstream %s: client close failed (%s)", name, failure.getClass().getSimpleName()));
    }
}
