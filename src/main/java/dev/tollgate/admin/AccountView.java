package dev.tollgate.admin;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A user's account as an admin sees it, read in one snapshot: the buckets and what is available
 * (millicredits), the plan and period, the latest ledger rows (newest first) and the live holds
 * (oldest first; {@code liveHoldCount} and {@code liveHoldsMillicredits} cover all of them, the
 * list at most {@value AdminAccountService#MAX_HOLDS}), and the calls whose cost exceeded what could
 * be charged ({@code shortfallCount} and {@code shortfallMillicredits} over all of them, live and
 * archived; the list the latest {@value AdminAccountService#RECENT_SHORTFALLS}), and the
 * compensations not applied: {@code PENDING} ones (the batch will apply them) and {@code FAILED}
 * ones (it gave up: an operator settles them), each with its amount, reason and last error
 * ({@code failedCompensationCount} and {@code failedCompensationsMillicredits} over all the
 * {@code FAILED} ones; the list the latest {@value AdminAccountService#RECENT_COMPENSATIONS}).
 * {@code heldOverMillicredits} is the part of the monthly bucket that an earlier period's holds
 * still hold. Then the latest {@value AdminAccountService#RECENT_PURCHASES} purchases, and the latest
 * {@value AdminAccountService#RECENT_GRANTS} grant lots ({@code grantedMillicredits} is what all lots
 * still hold).
 */
public record AccountView(String userId, String plan, long monthlyMillicredits, long heldOverMillicredits,
        long grantedMillicredits, long purchasedMillicredits, long reservedMillicredits, long availableMillicredits, BigDecimal availableCredits,
        Instant periodStart, Instant nextRefreshAt, Instant createdAt, Instant updatedAt, List<AuditEntry> recentEntries,
        long liveHoldCount, long liveHoldsMillicredits, List<LiveHold> liveHolds, long shortfallCount,
        long shortfallMillicredits, List<Shortfall> shortfalls, long failedCompensationCount,
        long failedCompensationsMillicredits, List<Compensation> compensations, long unrecoveredPurchaseCount,
        long unrecoveredPurchasesMillicredits, List<Purchase> purchases, List<Grant> grants) {

    /**
     * A lot of granted credits, newest first: what was granted and what remains, its expiry, its
     * priority (smaller is spent first), who granted it and why, and when its expiry ran (null: not
     * yet, or not all of it: live holds still needed part).
     */
    @Schema(name = "AccountGrant")
    public record Grant(UUID lotId, int priority, long grantedMillicredits, long remainingMillicredits,
            Instant expiresAt, String source, String reason, Instant grantedAt, Instant expiredAt) {
    }

    /**
     * A credit pack bought through Stripe (or by auto top-up), newest first: its status, what it
     * granted, what a refund or dispute took back, and {@code unrecoveredMillicredits}, the bought
     * credits that could not be taken back because they were spent ({@code unrecoveredPurchaseCount}
     * and {@code unrecoveredPurchasesMillicredits} over all the account's purchases). A
     * {@code flaggedReason} says why a payment that did not match its pack granted nothing.
     */
    @Schema(name = "AccountPurchase")
    public record Purchase(UUID purchaseId, String packId, String origin, String status, long creditsMillicredits,
            long grantedMillicredits, long clawedBackMillicredits, long unrecoveredMillicredits, String flaggedReason,
            String paymentIntentId, Instant createdAt) {
    }

    /**
     * A credit movement that could not be applied in line (kind {@code CHARGE}: a deferred settle;
     * {@code REFUND}), not applied yet ({@code PENDING}) or given up ({@code FAILED}, with the error
     * of its last attempt).
     */
    public record Compensation(long id, String kind, String status, long amountMillicredits, String reason,
            String lastError, int attempts, UUID reservationId, Long usageId, Instant createdAt, Instant updatedAt) {
    }

    /**
     * A call that cost more than could be charged (its settle was above its hold and the account
     * could not cover the rest): what it cost and what was not charged.
     */
    public record Shortfall(long usageId, String requestId, String model, long costMillicredits,
            long shortfallMillicredits, Instant createdAt) {
    }

    /**
     * A hold not yet settled, released or expired; {@code pastExpiry}: its time ran out, and the
     * expiry job will end it: free it, or, with {@code chargedAtExpiry} (a chat call's hold, which
     * its call left unresolved), charge it whole.
     */
    public record LiveHold(UUID reservationId, long amountMillicredits, String model, String idempotencyKey,
            Instant createdAt, Instant expiresAt, boolean pastExpiry, boolean chargedAtExpiry) {
    }
}
