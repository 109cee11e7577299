package dev.tollgate.balance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The caller's credits: the buckets, what is available, how close it is to running out, and when
 * it runs out at the pace of the last 7 days ({@code forecast}).
 */
public record BalanceResponse(
        String plan,
        long monthlyMillicredits,
        long grantedMillicredits,
        long purchasedMillicredits,
        long reservedMillicredits,
        long availableMillicredits,
        BigDecimal availableCredits,
        Instant periodStart,
        Instant nextRefreshAt,
        WarningLevel warningLevel,
        Thresholds thresholds,
        boolean upgradeHint,
        AutoTopUpState autoTopUp,
        DepletionForecast forecast,
        List<Grant> grants) {

    /**
     * A lot of granted credits that still holds some, in the order they are spent (monthly credits
     * go first, purchased ones last): what remains of it, and when the rest expires.
     */
    @Schema(name = "BalanceGrant")
    public record Grant(UUID id, long grantedMillicredits, long remainingMillicredits, Instant expiresAt, int priority,
            String reason) {
    }

    /**
     * The user's auto top-up, if they ever set one: below {@code thresholdCredits} the pack is bought;
     * {@code disabledReason} says why it switched itself off (after failed payments).
     */
    public record AutoTopUpState(boolean enabled, long thresholdCredits, String packId, String disabledReason) {
    }

    /** Where the levels start, in millicredits of available balance. */
    public record Thresholds(long lowMillicredits, long criticalMillicredits) {
    }
}
