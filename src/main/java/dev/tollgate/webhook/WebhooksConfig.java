package dev.tollgate.webhook;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Outbound webhooks: which URLs an endpoint may have, and how the sender delivers. */
@ConfigMapping(prefix = "tollgate.webhooks")
public interface WebhooksConfig {

    /** Whether an endpoint may be a plain http:// URL (https only otherwise). */
    @WithDefault("false")
    boolean allowHttp();

    /**
     * Whether an endpoint may resolve to a loopback, private, link-local, CGNAT, multicast or
     * unspecified address (the guard against requests into the deployment's own network).
     */
    @WithDefault("false")
    boolean allowPrivateAddresses();

    /** How long one delivery may take, connecting included, before it counts as failed. */
    @WithDefault("PT10S")
    Duration timeout();

    /** Deliveries in flight to one endpoint at most, over every instance. */
    @WithDefault("4")
    @Min(1)
    @Max(100)
    int maxInFlightPerEndpoint();

    /** Attempts of a delivery before it is dead-lettered. */
    @WithDefault("8")
    @Min(1)
    @Max(50)
    int maxAttempts();

    /** The wait after the first failed attempt; doubled after each further one. */
    @WithDefault("PT10S")
    Duration retryBaseDelay();

    /** The longest wait between two attempts. */
    @WithDefault("PT1H")
    Duration retryMaxDelay();

    /** Whether this instance sends webhooks (another instance may, from the same database). */
    @WithDefault("true")
    boolean senderEnabled();

    /** How often the sender looks for due deliveries. */
    @WithDefault("PT1S")
    Duration pollInterval();

    /** Threads that send, per instance: the most deliveries in flight from one instance. */
    @WithDefault("16")
    @Min(1)
    @Max(256)
    int senderThreads();
}
