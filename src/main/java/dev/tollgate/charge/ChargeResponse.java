package dev.tollgate.charge;

import java.math.BigDecimal;
import java.time.Instant;

import dev.tollgate.ledger.BalanceSnapshot;

/** A charged call: what it cost and the balances after it. */
public record ChargeResponse(long chargeId, long usageId, String requestId, String model, long costMillicredits,
        BigDecimal costCredits, BalanceSnapshot balance, Instant chargedAt) {
}
