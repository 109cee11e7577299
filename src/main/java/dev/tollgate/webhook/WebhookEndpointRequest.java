package dev.tollgate.webhook;

import java.util.List;

import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A new webhook endpoint: its URL, optionally its secret (generated if absent), the event types
 * it takes (none or empty: all), whether it is enabled (default true) and a note for operators.
 */
public record WebhookEndpointRequest(
        @Schema(description = "Absolute https URL (no user info) that resolves to public addresses", example = "https://chat.example.com/hooks/tollgate")
        String url,
        @Schema(description = "whsec_ and the base64 of 24 to 64 random bytes; generated if absent")
        String secret,
        @Schema(description = "Event types delivered; empty or absent: all", example = "[\"balance.low\",\"purchase.completed\"]")
        @Size(max = 32, message = "names at most 32 event types") List<String> eventTypes,
        @Schema(description = "Whether events are delivered to it (default true)")
        Boolean enabled,
        @Size(max = 255, message = "is at most 255 characters") String description) {
}
