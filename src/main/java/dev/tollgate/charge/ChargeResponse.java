package dev.tollgate.charge;

import java.math.BigDecimal;
import java.time.Instant;

/** A charged call: what it cost and the balances after it. */
public record ChargeResponse(long chargeId, long usageId, String requestId, String model, long costMillicredits,
        BigDecimal costCredits, BalanceAfter balance, Instant chargedAt) {

    public record BalanceAfter(long monthlyMillicredits, long purchasedMillicredits, long reservedMillicredits,
            long availableMillicredits, BigDecimal availableCredits) {
    }
}
