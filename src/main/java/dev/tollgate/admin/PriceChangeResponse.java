package dev.tollgate.admin;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A new price row and the model's rows after it, newest first. Prices are never changed in place:
 * the rows of {@code model_pricing} are the history of a model's prices (a price change moves no
 * credits, so it writes no ledger entry). {@code appliesOnEveryInstanceBy}: the later of the
 * effective-from and the end of the price cache of the other instances.
 */
// The entity of a raw Response, which Quarkus cannot see: registered for the native image.
@RegisterForReflection
public record PriceChangeResponse(PriceRow price, Instant appliesOnEveryInstanceBy, List<PriceRow> prices,
        String note) {

    static final String NOTE = "Prices are never changed in place: every row of model_pricing is kept and the rows "
            + "are the history of the model's prices. A price change moves no credits and writes no ledger entry.";
}
