package dev.tollgate.reservation;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import dev.tollgate.metering.TokenCounts;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The real usage of the call a hold was made for, with what it is about. */
// Fingerprinted by RequestHash's own ObjectMapper (outside REST): registered for the native image.
@RegisterForReflection
public record SettleRequest(
        @NotNull @Valid TokenCounts usage,
        @Size(max = 128) String characterId,
        @Size(max = 128) String conversationId,
        Boolean estimated) {
}
