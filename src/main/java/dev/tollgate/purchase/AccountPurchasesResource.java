package dev.tollgate.purchase;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.openapi.ApiDocs;

/**
 * {@code GET /api/admin/accounts/{userId}/purchases}: beside the account view, the account's
 * purchases, with what Stripe said and the credits that could not be taken back.
 */
@Tag(name = "admin")
@Path("/api/admin/accounts/{userId}/purchases")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AccountPurchasesResource {

    @Inject
    PurchaseRefunds refunds;

    @Operation(summary = "A user's purchases",
            description = "The account's last 50 purchases, newest first, with their Stripe ids, a flag on a payment that did not match its pack, and the credits a refund or dispute could not take back because they were spent (unrecoveredMillicredits).")
    @APIResponse(responseCode = "200", description = "The purchases.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseViews.AdminPurchases.class),
                    examples = @ExampleObject(name = "example", value = "{\"userId\":\"alice\",\"purchases\":[{\"purchaseId\":\"3f0c1e2a-7b4d-4c5e-9f6a-1b2c3d4e5f60\",\"packId\":\"small\",\"status\":\"disputed\",\"creditsMillicredits\":100000,\"priceAmount\":500,\"priceCurrency\":\"usd\",\"checkoutSessionId\":\"cs_test_a1\",\"paymentIntentId\":\"pi_3\",\"flaggedReason\":null,\"grantedMillicredits\":100000,\"clawedBackMillicredits\":40000,\"unrecoveredMillicredits\":60000,\"createdAt\":\"2026-11-24T09:00:00Z\",\"updatedAt\":\"2026-11-25T10:00:00Z\"}]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchases-not-configured")
    @GET
    public PurchaseViews.AdminPurchases purchases(
            @Parameter(description = "The user (the token subject)", example = "alice") @PathParam("userId") String userId) {
        return refunds.purchasesOf(userId);
    }
}
