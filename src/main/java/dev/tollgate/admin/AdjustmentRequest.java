package dev.tollgate.admin;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.ledger.Bucket;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An admin's signed correction of one bucket of a user's credits, with the reason that the audit
 * trail keeps.
 */
// Fingerprinted (inside AdjustmentService.Fingerprinted) by RequestHash's own ObjectMapper: registered for the native image.
@RegisterForReflection
public record AdjustmentRequest(
        @NotNull @Size(max = AdminInput.USER_ID_MAX) @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId,
        @NotNull @Pattern(regexp = "monthly|purchased", message = "is 'monthly' or 'purchased'") String bucket,
        @NotNull @NotZero @Min(-MAX_AMOUNT) @Max(MAX_AMOUNT) Long amountMillicredits,
        @NotBlank @Size(max = MAX_REASON_LENGTH)
        @Pattern(regexp = REASON_TEXT, message = "must not contain control characters other than tab and line breaks") String reason) {

    /** A million credits: far above any real correction, far below an overflow of the buckets. */
    public static final long MAX_AMOUNT = 1_000_000_000_000L;
    public static final int MAX_REASON_LENGTH = 500;
    /**
     * Text without control characters (tab and line breaks aside) and without lone surrogates:
     * PostgreSQL's jsonb refuses NUL, and a lone surrogate cannot be stored as UTF-8. One
     * character class, so that matching never recurses.
     */
    static final String REASON_TEXT = "[^\\p{Cs}\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*";

    Bucket targetBucket() {
        return "monthly".equals(bucket) ? Bucket.MONTHLY : Bucket.PURCHASED;
    }
}
