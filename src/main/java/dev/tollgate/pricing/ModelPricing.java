package dev.tollgate.pricing;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;

import dev.tollgate.platform.persistence.IdentityEntity;

/** A model's prices in credits per 1M tokens per usage bucket, from a point in time on. */
@Entity
public class ModelPricing extends IdentityEntity {

    public String model;
    public BigDecimal inputCreditsPerMillion;
    public BigDecimal cachedInputCreditsPerMillion;
    public BigDecimal cacheWriteCreditsPerMillion;
    public BigDecimal outputCreditsPerMillion;

    /** {@code null}: reasoning tokens are billed at the output price. */
    public BigDecimal reasoningCreditsPerMillion;

    public Instant effectiveFrom;

    @Column(insertable = false, updatable = false)
    public Instant createdAt;

    public Price price() {
        return new Price(id, model, inputCreditsPerMillion, cachedInputCreditsPerMillion, cacheWriteCreditsPerMillion,
                outputCreditsPerMillion,
                reasoningCreditsPerMillion != null ? reasoningCreditsPerMillion : outputCreditsPerMillion);
    }
}
