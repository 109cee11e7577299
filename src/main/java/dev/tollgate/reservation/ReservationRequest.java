package dev.tollgate.reservation;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A hold for a call another backend is about to make: the model, the prompt it will send and its
 * output budget. The hold is the estimate of that call (prompt and whole budget, plus the buffer).
 */
// Fingerprinted by RequestHash's own ObjectMapper (outside REST): registered for the native image.
@RegisterForReflection
public record ReservationRequest(
        @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]*", message = "is not a model name") String model,
        @NotEmpty @Size(max = 2_000) List<@NotNull @Valid Message> messages,
        @Positive @Max(1_000_000) Integer maxOutputTokens) {

    /** One chat message of the prompt. */
    // Inside a request that RequestHash fingerprints: registered for the native image.
    @RegisterForReflection
    @Schema(name = "ReservationMessage")
    public record Message(@NotBlank @Size(max = 32) String role, @NotNull @Size(max = 1_000_000) String content,
            @Size(max = 64) String name) {
    }
}
