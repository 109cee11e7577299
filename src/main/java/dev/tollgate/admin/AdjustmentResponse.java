package dev.tollgate.admin;

import java.math.BigDecimal;
import java.time.Instant;

import dev.tollgate.ledger.BalanceSnapshot;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An applied adjustment: the ledger entry it wrote (its id, the signed change of each bucket) and
 * the user's balances after it.
 */
// The entity of a raw Response, which Quarkus cannot see: registered for the native image.
@RegisterForReflection
public record AdjustmentResponse(long entryId, String userId, String bucket, long amountMillicredits,
        BigDecimal amountCredits, String reason, String actor, long monthlyDeltaMillicredits,
        long purchasedDeltaMillicredits, long reservedDeltaMillicredits, BalanceSnapshot balance,
        String idempotencyKey, Instant createdAt) {
}
