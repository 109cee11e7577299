package dev.tollgate.metering;

import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.Usage;

/** The usage row of one metered call: who made it, for which character and conversation, its usage, its price and cost. */
public record UsageRow(String userId, String requestId, String model, String characterId, String conversationId,
        Usage usage, boolean estimated, Price price, Millicredits cost, UUID holdId) {
}
