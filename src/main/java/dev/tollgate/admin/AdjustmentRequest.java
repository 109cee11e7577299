package dev.tollgate.admin;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.ledger.Bucket;
import dev.tollgate.platform.audit.Reason;

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
        @NotBlank @Size(max = Reason.MAX_LENGTH) @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {

    /** A million credits: far above any real correction, far below an overflow of the buckets. */
    public static final long MAX_AMOUNT = 1_000_000_000_000L;

    Bucket targetBucket() {
        return "monthly".equals(bucket) ? Bucket.MONTHLY : Bucket.PURCHASED;
    }
}
