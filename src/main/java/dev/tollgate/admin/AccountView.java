package dev.tollgate.admin;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A user's account as an admin sees it, read in one snapshot: the buckets and what is available
 * (millicredits), the plan and period, the latest ledger rows (newest first) and the live holds
 * (oldest first; {@code liveHoldCount} and {@code liveHoldsMillicredits} cover all of them, the
 * list at most {@value AdminAccountService#MAX_HOLDS}).
 */
public record AccountView(String userId, String plan, long monthlyMillicredits, long purchasedMillicredits,
        long reservedMillicredits, long availableMillicredits, BigDecimal availableCredits, Instant periodStart,
        Instant nextRefreshAt, Instant createdAt, Instant updatedAt, List<AuditEntry> recentEntries,
        long liveHoldCount, long liveHoldsMillicredits, List<LiveHold> liveHolds) {

    /** A hold not yet settled, released or expired; {@code pastExpiry}: its time ran out, the expiry job will free it. */
    public record LiveHold(UUID reservationId, long amountMillicredits, String model, String idempotencyKey,
            Instant createdAt, Instant expiresAt, boolean pastExpiry) {
    }
}
