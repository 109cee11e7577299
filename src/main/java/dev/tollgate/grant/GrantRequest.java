package dev.tollgate.grant;

import java.time.Instant;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.admin.AdminInput;
import dev.tollgate.ledger.GrantTerms;
import dev.tollgate.platform.audit.Reason;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An admin's grant of credits that expire: how many, until when, spent in what order among the
 * user's other grants ({@code priority}, smaller first; 100 if absent), and why.
 */
// Fingerprinted (inside GrantService.Fingerprinted) by RequestHash's own ObjectMapper: registered for the native image.
@RegisterForReflection
public record GrantRequest(
        @NotNull @Size(max = AdminInput.USER_ID_MAX) @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId,
        @NotNull @Min(1) @Max(MAX_AMOUNT) Long amountMillicredits,
        @NotNull Instant expiresAt,
        @Min(0) @Max(GrantTerms.MAX_PRIORITY) Integer priority,
        @NotBlank @Size(max = Reason.MAX_LENGTH) @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {

    /** A million credits, as for adjustments: far above any real grant, far below an overflow of the buckets. */
    public static final long MAX_AMOUNT = 1_000_000_000_000L;

    int priorityOrDefault() {
        return priority == null ? GrantTerms.DEFAULT_PRIORITY : priority;
    }
}
