package dev.tollgate.admin;

import java.time.Instant;
import java.util.List;

/**
 * Every price row per model (models by name, rows newest first), as of an instant.
 * {@code truncated}: more rows exist than one answer carries; ask for one model.
 */
public record PriceSheet(Instant asOf, List<ModelPrices> models, boolean truncated) {

    /** The rows of one model, newest effective-from first; at most one is {@code current}. */
    public record ModelPrices(String model, List<PriceRow> prices) {
    }
}
