package dev.tollgate.purchase;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code PUT /api/credit/auto-top-up}: on or off, and when on, the threshold of available credits
 * below which the pack is bought.
 */
public record AutoTopUpRequest(
        @NotNull(message = "enabled is required") Boolean enabled,
        @Min(1) @Max(MAX_THRESHOLD_CREDITS) Long thresholdCredits,
        @Size(min = 1, max = 64) String packId) {

    /** A million credits: above any real threshold, far below an overflow. */
    public static final long MAX_THRESHOLD_CREDITS = 1_000_000;
}
