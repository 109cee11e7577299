package dev.tollgate.admin;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One row of {@code model_pricing}: prices in credits per 1M tokens ({@code reasoningCreditsPerMillion}
 * {@code null}: reasoning is billed at the output price), the instant they take effect from, and
 * where the row stands now: {@code current} (in force), {@code scheduled} (not yet) or
 * {@code superseded} (replaced by a later row).
 */
// Inside PriceChangeResponse, the entity of a raw Response: registered for the native image.
@RegisterForReflection
public record PriceRow(long id, String model, BigDecimal inputCreditsPerMillion,
        BigDecimal cachedInputCreditsPerMillion, BigDecimal cacheWriteCreditsPerMillion,
        BigDecimal outputCreditsPerMillion, BigDecimal reasoningCreditsPerMillion, Instant effectiveFrom,
        Instant createdAt, boolean current, String status) {

    static final String CURRENT = "current";
    static final String SCHEDULED = "scheduled";
    static final String SUPERSEDED = "superseded";
}
