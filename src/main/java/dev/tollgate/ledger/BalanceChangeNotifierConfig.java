package dev.tollgate.ledger;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How often committed balance changes are announced (beside the stream's own keys under the same prefix). */
@ConfigMapping(prefix = "tollgate.events")
public interface BalanceChangeNotifierConfig {

    /** Committed changes are sent in one NOTIFY batch this long after the first of them. */
    @WithDefault("PT0.1S")
    Duration notifyInterval();
}
