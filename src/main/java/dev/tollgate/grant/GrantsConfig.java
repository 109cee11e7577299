package dev.tollgate.grant;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds of the expiry of grant lots. (A plan's sign-up grant is {@code tollgate.plans.catalog.<plan>.sign-up-grant.*}.) */
@ConfigMapping(prefix = "tollgate.grants")
public interface GrantsConfig {

    /** Accounts whose due lots a run of expire-grants expires, each in a transaction of its own. */
    @WithDefault("1000")
    @Min(1)
    @Max(100_000)
    int expiryMaxAccounts();

    /** How long before a lot expires the chat app is told (webhook {@code grant.expiring}), once per lot. */
    @WithDefault("P3D")
    Duration expiringNotice();
}
