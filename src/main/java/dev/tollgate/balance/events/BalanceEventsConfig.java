package dev.tollgate.balance.events;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The live balance stream ({@code GET /api/credit/events}). */
@ConfigMapping(prefix = "tollgate.events")
public interface BalanceEventsConfig {

    /** How often an open stream gets a comment line, so that proxies and browsers keep it open. */
    @WithDefault("PT15S")
    Duration heartbeat();

    /** Open streams of one user on one instance; opening one more closes the oldest. */
    @WithDefault("5")
    @Min(1)
    @Max(100)
    int maxStreamsPerUser();

    /** Open streams of one team's pool on one instance, all its members together; one more closes the oldest. */
    @WithDefault("200")
    @Min(1)
    @Max(10000)
    int maxStreamsPerPool();

    /** The longest wait between two attempts to reconnect the LISTEN connection after it failed. */
    @WithDefault("PT30S")
    Duration maxReconnectDelay();

    /** How long a client waits before it reconnects a broken stream (the {@code retry} field). */
    @WithDefault("PT3S")
    Duration clientRetry();
}
