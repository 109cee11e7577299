package dev.tollgate.balance;

import java.math.BigDecimal;
import java.time.Instant;

/** The caller's credits: the buckets, what is available, and how close it is to running out. */
public record BalanceResponse(
        String plan,
        long monthlyMillicredits,
        long purchasedMillicredits,
        long reservedMillicredits,
        long availableMillicredits,
        BigDecimal availableCredits,
        Instant periodStart,
        Instant nextRefreshAt,
        WarningLevel warningLevel,
        Thresholds thresholds,
        boolean upgradeHint) {

    /** Where the levels start, in millicredits of available balance. */
    public record Thresholds(long lowMillicredits, long criticalMillicredits) {
    }
}
