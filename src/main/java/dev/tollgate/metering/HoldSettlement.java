package dev.tollgate.metering;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Settlement;

/**
 * Settles a hold with the usage row of its call, in the caller's transaction: the row, then the
 * SETTLE of the row's cost (its entry pointing at the row), then, if the cost exceeded what could
 * be charged, the shortfall on the row. The one way a hold is settled with its call's usage: by the
 * call itself ({@link MeteredCalls}), by its compensation, and by its expiry ({@link HoldExpiry}).
 */
@ApplicationScoped
public class HoldSettlement {

    private static final Logger LOG = Logger.getLogger(HoldSettlement.class);

    @Inject
    Ledger ledger;

    @Inject
    UsageRecorder usageRecorder;

    /** A settled hold and the id of its call's usage row. */
    public record Settled(long usageId, Settlement settlement) {
    }

    public Settled settle(UsageRow call, Mutation mutation) {
        long usageId = usageRecorder.record(call);
        Settlement settlement = ledger.settle(call.userId(), call.holdId(), call.cost(), mutation.withUsage(usageId));
        if (settlement.shortfall().isPositive()) {
            usageRecorder.recordShortfall(usageId, settlement.shortfall().value());
            LOG.warnf("hold %s cost %d millicredits, %d more than could be charged (hold %d): shortfall recorded",
                    call.holdId(), call.cost().value(), settlement.shortfall().value(), settlement.held().value());
        }
        return new Settled(usageId, settlement);
    }
}
