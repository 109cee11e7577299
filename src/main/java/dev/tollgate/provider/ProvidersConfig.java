package dev.tollgate.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * The OpenAI-compatible upstreams the metered chat call is sent to, each under
 * {@code tollgate.providers.<name>.*}, and the models each one serves. A model is served by at most
 * one enabled upstream (checked at start-up); a model no upstream serves is refused with 422.
 */
@ConfigMapping(prefix = "tollgate.providers")
public interface ProvidersConfig {

    /** The upstreams by name (the name is ours, e.g. {@code openai}); none by default. */
    @WithParentName
    Map<String, Upstream> upstreams();

    /**
     * The name of the upstream that serves a model.
     *
     * @throws ModelNotServedException if no upstream lists the model (answered 422 {@code model-not-served})
     */
    default String upstreamFor(String model) {
        // Sorted, so that the answer is the same on every instance even if a model were listed twice.
        for (Map.Entry<String, Upstream> entry : new TreeMap<>(upstreams()).entrySet()) {
            if (model != null && entry.getValue().enabled() && entry.getValue().models().contains(model)) {
                return entry.getKey();
            }
        }
        throw new ModelNotServedException(model);
    }

    interface Upstream {

        /** Whether the upstream is used; false takes it out of service and keeps its configuration. */
        @WithDefault("true")
        boolean enabled();

        /** Base URL of the OpenAI-compatible API, e.g. {@code https://api.openai.com/v1}; no default. */
        String baseUrl();

        /** Bearer token sent as {@code Authorization}, only from the environment; none by default (no header). */
        Optional<String> apiKey();

        /** The model names this upstream serves, exactly as requests name them; no default. */
        List<String> models();

        /** Time allowed to open a TCP/TLS connection. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Time allowed from sending a request until the upstream's response headers (504 after it). */
        @WithDefault("30s")
        Duration firstByteTimeout();

        /** Longest silence allowed between two pieces of a response body (stream chunks or JSON). */
        @WithDefault("60s")
        Duration idleTimeout();

        /**
         * Longest a call may run, from sending it to its last chunk; a call still running then is cut
         * and billed on what it produced. With the settle's 20 s of patience it must fit in
         * {@code tollgate.holds.ttl} (checked at start-up), so that a hold always outlives its call.
         * Default 5m.
         */
        @WithDefault("5m")
        Duration maxCallDuration();

        /** Requests (and open streams) allowed at once; the next one is refused with 503 {@code provider-busy}. */
        @WithDefault("64")
        @Min(1)
        @Max(10000)
        int maxConcurrent();

        /** When this upstream's circuit opens (503 {@code provider-unavailable} while open). */
        CircuitBreaker circuitBreaker();
    }

    interface CircuitBreaker {

        /** Calls in the rolling window the failure ratio is computed over. */
        @WithDefault("20")
        @Min(1)
        int requestVolumeThreshold();

        /** Share of failed calls in the window that opens the circuit. */
        @WithDefault("0.5")
        @DecimalMin("0.01")
        @DecimalMax("1")
        double failureRatio();

        /** How long the circuit stays open before one trial call is let through. */
        @WithDefault("10s")
        Duration delay();
    }
}
