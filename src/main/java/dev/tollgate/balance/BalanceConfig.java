package dev.tollgate.balance;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where the balance's warning levels start, as percent of the plan's monthly allowance, and when the
 * job predict-depletion warns that the credits run out before the refresh.
 */
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

    /** The warning {@code balance.depletion_predicted} (job predict-depletion). */
    DepletionWarning depletionWarning();

    interface DepletionWarning {

        /**
         * The warning fires when, at the pace of the last 7 days, the credits run out more than this
         * many days before the next refresh.
         */
        @WithDefault("3")
        @Min(0)
        @Max(31)
        int days();

        /** Accounts evaluated per transaction. */
        @WithDefault("500")
        @Min(1)
        @Max(10_000)
        int batchSize();

        /** Batches per run, at most (for each of its two passes). */
        @WithDefault("1000")
        @Min(1)
        int maxBatches();
    }
}
