package dev.tollgate.pricing;

import java.math.BigDecimal;

/** A model's prices in credits per 1M tokens, one per usage bucket; reasoning already resolved. */
public record Price(Long pricingId, String model, BigDecimal inputPerMillion, BigDecimal cachedInputPerMillion,
        BigDecimal cacheWritePerMillion, BigDecimal outputPerMillion, BigDecimal reasoningPerMillion) {
}
