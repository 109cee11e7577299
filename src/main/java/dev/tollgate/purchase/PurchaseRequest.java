package dev.tollgate.purchase;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code POST /api/credit/purchases}: the pack to buy. */
// Fingerprinted by RequestHash's own ObjectMapper: registered for the native image.
@RegisterForReflection
public record PurchaseRequest(
        @NotBlank(message = "packId is required") @Size(max = 64) String packId) {
}
