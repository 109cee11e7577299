package dev.tollgate.purchase;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.platform.audit.Reason;

/** An admin's refund of a purchase: the reason is mandatory and kept in the audit trail. */
public record RefundRequest(
        @NotBlank @Size(max = Reason.MAX_LENGTH) @Pattern(regexp = Reason.TEXT, message = Reason.TEXT_MESSAGE) String reason) {
}
