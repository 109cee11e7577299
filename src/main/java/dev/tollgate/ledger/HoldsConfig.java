package dev.tollgate.ledger;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long credits stay on hold for a call in flight. */
@ConfigMapping(prefix = "tollgate.holds")
public interface HoldsConfig {

    /**
     * The time after which the expiry job ends an unresolved hold: it frees a reservation's and
     * charges a chat call's whole ({@link HeldCall#chargedAtExpiry}). Until the job ends it, a hold
     * past its time can still be settled (the call happened; it should be paid).
     */
    @WithDefault("PT10M")
    Duration ttl();
}
