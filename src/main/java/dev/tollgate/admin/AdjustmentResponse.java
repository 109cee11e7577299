package dev.tollgate.admin;

import java.math.BigDecimal;
import java.time.Instant;

import dev.tollgate.ledger.BalanceSnapshot;

/**
 * An applied adjustment: the ledger entry it wrote (its id, the signed change of each bucket) and
 * the user's balances after it.
 */
public record AdjustmentResponse(long entryId, String userId, String bucket, long amountMillicredits,
        BigDecimal amountCredits, String reason, String actor, long monthlyDeltaMillicredits,
        long purchasedDeltaMillicredits, long reservedDeltaMillicredits, BalanceSnapshot balance,
        String idempotencyKey, Instant createdAt) {
}
