package dev.tollgate.reservation;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import dev.tollgate.metering.TokenCounts;

/** The real usage of the call a hold was made for, with what it is about. */
public record SettleRequest(
        @NotNull @Valid TokenCounts usage,
        @Size(max = 128) String characterId,
        @Size(max = 128) String conversationId,
        Boolean estimated) {
}
