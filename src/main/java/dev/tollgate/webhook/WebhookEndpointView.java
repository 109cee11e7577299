package dev.tollgate.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A webhook endpoint as the admin API shows it. The secret is shown once, in the answer to the
 * create call (and to its retries under the same key); never afterwards.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEndpointView(UUID id, String url, List<String> eventTypes, boolean enabled, String description,
        Instant createdAt, Instant updatedAt, String secret) {

    WebhookEndpointView withSecret(String shownOnce) {
        return new WebhookEndpointView(id, url, eventTypes, enabled, description, createdAt, updatedAt, shownOnce);
    }
}
