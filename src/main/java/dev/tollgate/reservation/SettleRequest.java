package dev.tollgate.reservation;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.tollgate.metering.CallLabels;
import dev.tollgate.metering.TokenCounts;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The real usage of the call a hold was made for, with what it is about. */
// Fingerprinted by RequestHash's own ObjectMapper (outside REST): registered for the native image.
@RegisterForReflection
public record SettleRequest(
        @NotNull @Valid TokenCounts usage,
        @Size(max = CallLabels.MAX_LENGTH) @Pattern(regexp = CallLabels.TEXT, message = CallLabels.MESSAGE) String characterId,
        @Size(max = CallLabels.MAX_LENGTH) @Pattern(regexp = CallLabels.TEXT, message = CallLabels.MESSAGE) String conversationId,
        Boolean estimated) {
}
