package dev.tollgate.webhook;

import java.util.List;

import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A change of a webhook endpoint: each member that is present replaces the endpoint's. */
public record WebhookEndpointUpdate(
        @Schema(description = "A new URL, checked as on create")
        String url,
        @Schema(description = "Event types delivered; empty: all")
        @Size(max = 32, message = "names at most 32 event types") List<String> eventTypes,
        @Schema(description = "false stops deliveries to it (they wait); true resumes them")
        Boolean enabled,
        @Size(max = 255, message = "is at most 255 characters") String description) {
}
