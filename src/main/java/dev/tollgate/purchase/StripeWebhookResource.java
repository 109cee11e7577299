package dev.tollgate.purchase;

import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /api/webhooks/stripe}: Stripe's events, authenticated by their signature, not by a
 * token. Answered 200 only once the event's transaction has committed, so that Stripe retries
 * every delivery that failed.
 */
@Tag(name = "purchases")
@Path("/api/webhooks/stripe")
@PermitAll
public class StripeWebhookResource {

    @Inject
    StripeWebhooks webhooks;

    @APIResponse(responseCode = "200", description = "Applied (or acknowledged).")
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Received receive(
            @Parameter(description = "Stripe's signature of the body: t=<timestamp>,v1=<HMAC-SHA256>", example = "t=1764234000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd")
            @HeaderParam("Stripe-Signature") String signature,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON)) byte[] body) {
        webhooks.receive(new String(body, StandardCharsets.UTF_8), signature);
        return new Received(true);
    }

    /** Stripe's event is applied or acknowledged. */
    @Schema(name = "StripeEventReceived")
    public record Received(boolean received) {
    }
}
