package dev.tollgate.pricing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How prices are cached, and the prices that serve estimates when the database cannot. */
@ConfigMapping(prefix = "tollgate.pricing")
public interface PricingConfig {

    /** How long a model's price rows are served from memory before they are read again. */
    @WithDefault("PT30S")
    Duration cacheTtl();

    /**
     * Prices per model (credits per 1M tokens) that serve pre-checks when the database is
     * unreachable and no price of the model was ever read; never used to charge.
     */
    Map<String, FallbackPrice> fallback();

    interface FallbackPrice {
        BigDecimal input();

        Optional<BigDecimal> cachedInput();

        BigDecimal output();
    }
}
