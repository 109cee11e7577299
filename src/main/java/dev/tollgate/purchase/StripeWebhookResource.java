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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.openapi.ApiDocs;

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

    @Operation(summary = "Receive a Stripe event",
            description = "Verifies the Stripe-Signature header (the endpoint's signing secret, at most 5 minutes old) and applies the event: a paid Checkout Session adds the pack's credits once; a refund or a dispute takes them back as far as they are unspent; an expired session ends the purchase. Other event types are acknowledged and ignored.")
    @APIResponse(responseCode = "200", description = "Applied (or acknowledged).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Received.class),
                    examples = @ExampleObject(name = "example", value = "{\"received\":true}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-signature-invalid malformed-json purchases-not-configured")
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Received receive(
            @Parameter(description = "Stripe's signature of the body: t=<timestamp>,v1=<HMAC-SHA256>", example = "t=1764234000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd")
            @HeaderParam("Stripe-Signature") String signature,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "checkout.session.completed", value = "{\"id\":\"evt_1\",\"object\":\"event\",\"api_version\":\"2026-07-29.dahlia\",\"created\":1764234000,\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"id\":\"cs_test_a1\",\"object\":\"checkout.session\",\"client_reference_id\":\"3f0c1e2a-7b4d-4c5e-9f6a-1b2c3d4e5f60\",\"payment_intent\":\"pi_3\",\"payment_status\":\"paid\",\"amount_total\":500,\"currency\":\"usd\"}}}")))
            byte[] body) {
        webhooks.receive(new String(body, StandardCharsets.UTF_8), signature);
        return new Received(true);
    }

    /** Stripe's event is applied or acknowledged. */
    @Schema(name = "StripeEventReceived")
    public record Received(boolean received) {
    }
}
