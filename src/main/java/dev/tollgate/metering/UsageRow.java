package dev.tollgate.metering;

import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.Usage;

/**
 * The usage row of one metered call: the account it was charged to, for which character and
 * conversation, its usage, its price and cost, and on a team pool the member who made it (a call
 * on hold takes its member from the hold when none is named here).
 */
public record UsageRow(String userId, String requestId, String model, String characterId, String conversationId,
        Usage usage, boolean estimated, Price price, Millicredits cost, UUID holdId, String memberId) {

    public UsageRow(String userId, String requestId, String model, String characterId, String conversationId,
            Usage usage, boolean estimated, Price price, Millicredits cost, UUID holdId) {
        this(userId, requestId, model, characterId, conversationId, usage, estimated, price, cost, holdId, null);
    }
}
