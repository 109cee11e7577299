package dev.tollgate.pricing;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.tollgate.platform.persistence.IdentityEntity;

/** A model's prices in credits per 1M tokens per usage bucket, from a point in time on. */
@Entity
@Table(name = "model_pricing")
public class ModelPricing extends IdentityEntity {

    @Column(nullable = false, length = 128)
    public String model;

    @Column(name = "input_credits_per_million", nullable = false, precision = 20, scale = 6)
    public BigDecimal inputCreditsPerMillion;

    @Column(name = "cached_input_credits_per_million", nullable = false, precision = 20, scale = 6)
    public BigDecimal cachedInputCreditsPerMillion;

    @Column(name = "cache_write_credits_per_million", nullable = false, precision = 20, scale = 6)
    public BigDecimal cacheWriteCreditsPerMillion;

    @Column(name = "output_credits_per_million", nullable = false, precision = 20, scale = 6)
    public BigDecimal outputCreditsPerMillion;

    /** {@code null}: reasoning tokens are billed at the output price. */
    @Column(name = "reasoning_credits_per_million", precision = 20, scale = 6)
    public BigDecimal reasoningCreditsPerMillion;

    @Column(name = "effective_from", nullable = false)
    public Instant effectiveFrom;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    public Price price() {
        return new Price(id, model, inputCreditsPerMillion, cachedInputCreditsPerMillion, cacheWriteCreditsPerMillion,
                outputCreditsPerMillion,
                reasoningCreditsPerMillion != null ? reasoningCreditsPerMillion : outputCreditsPerMillion);
    }
}
