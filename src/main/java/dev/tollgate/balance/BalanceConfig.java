package dev.tollgate.balance;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the balance's warning levels start, as percent of the plan's monthly allowance. */
@ConfigMapping(prefix = "tollgate.balance")
public interface BalanceConfig {

    /** At or below this share of the allowance the level is {@code low}. */
    @WithDefault("20")
    @Min(0)
    @Max(100)
    int lowPercent();

    /** At or below this share of the allowance the level is {@code critical}. */
    @WithDefault("5")
    @Min(0)
    @Max(100)
    int criticalPercent();
}
