package dev.tollgate.precheck;

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

/** A message the user is about to send: the model, the conversation so far, the output budget. */
public record PreCheckRequest(
        @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]*", message = "is not a model name") String model,
        @NotEmpty @Size(max = 2_000) List<@NotNull @Valid Message> messages,
        @Positive @Max(1_000_000) Integer maxOutputTokens) {

    /** One chat message; its role and text count towards the estimate. */
    @Schema(name = "PreCheckMessage")
    public record Message(@NotBlank @Size(max = 32) String role, @NotNull @Size(max = 1_000_000) String content) {
    }
}
