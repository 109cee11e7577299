package dev.tollgate.webhook;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The answers of the admin calls are also written to and read back from
 * {@code webhook_admin_request} with Jackson (a retry under the same key is answered from there),
 * outside REST's own serialization; and some are returned inside a {@code Response}, where Quarkus
 * cannot see their type. Registered here for the native image.
 */
@RegisterForReflection(targets = {
        WebhookEndpointView.class,
        WebhookDeliveryView.class,
        WebhookEndpoints.Deleted.class
})
final class WebhookModelsForNative {

    private WebhookModelsForNative() {
    }
}
