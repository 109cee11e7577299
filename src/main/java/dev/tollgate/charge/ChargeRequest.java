package dev.tollgate.charge;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.metering.CallLabels;
import dev.tollgate.metering.TokenCounts;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A call another backend made to a model, to be charged at its real usage. {@code requestId} is
 * that call's id and the idempotency key of the charge (or send it as the Idempotency-Key header).
 */
// Fingerprinted by RequestHash's own ObjectMapper (outside REST): registered for the native image.
@RegisterForReflection
public record ChargeRequest(
        @Size(min = 1, max = 255) String requestId,
        @NotBlank @Size(max = 128) @Pattern(regexp = MODEL_NAME, message = "is not a model name") String model,
        @Size(max = CallLabels.MAX_LENGTH) @Pattern(regexp = CallLabels.TEXT, message = CallLabels.MESSAGE) String characterId,
        @Size(max = CallLabels.MAX_LENGTH) @Pattern(regexp = CallLabels.TEXT, message = CallLabels.MESSAGE) String conversationId,
        @NotNull @Valid TokenCounts usage,
        Boolean estimated) {

    public static final String MODEL_NAME = "[A-Za-z0-9][A-Za-z0-9._:/-]*";

    /** The request as fingerprinted for idempotency: everything but the key itself. */
    ChargeRequest withoutRequestId() {
        return new ChargeRequest(null, model, characterId, conversationId, usage, estimated);
    }
}
