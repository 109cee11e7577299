package dev.tollgate.charge;

import java.math.BigDecimal;
import java.time.Instant;

import dev.tollgate.ledger.BalanceSnapshot;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A charged call: what it cost and the balances after it. */
// The entity of a raw Response, which Quarkus cannot see: registered for the native image.
@RegisterForReflection
public record ChargeResponse(long chargeId, long usageId, String requestId, String model, long costMillicredits,
        BigDecimal costCredits, BalanceSnapshot balance, Instant chargedAt) {
}
