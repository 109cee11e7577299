package dev.tollgate.purchase;

import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.membership.TeamPayers;
import dev.tollgate.platform.http.QueryParameters;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;

/** The caller's credit packs and purchases: {@code /api/credit/packs}, {@code /api/credit/purchases}. */
@Tag(name = "purchases", description = "Credit packs bought through Stripe Checkout; answered purchases-not-configured where Stripe is not configured.")
@Path("/api/credit")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class PurchaseResource {

    static final String PURCHASE_EXAMPLE = "{\"purchaseId\":\"3f0c1e2a-7b4d-4c5e-9f6a-1b2c3d4e5f60\",\"packId\":\"small\",\"status\":\"pending\",\"creditsMillicredits\":100000,\"credits\":100.0,\"priceAmount\":500,\"priceCurrency\":\"usd\",\"checkoutUrl\":\"https://checkout.stripe.com/c/pay/cs_test_a1\",\"grantedMillicredits\":0,\"clawedBackMillicredits\":0,\"createdAt\":\"2026-11-24T09:00:00Z\",\"updatedAt\":\"2026-11-24T09:00:00Z\"}";
    /** The {@code X-Tollgate-Account} of a purchase: only a team's owners buy for its pool. */
    static final String BUYER_ACCOUNT = "team:<team id> for a team's pool (owners only); the caller's own if absent";

    @Inject
    PurchaseService purchases;

    @Inject
    TeamPayers payers;

    @Operation(summary = "The credit packs on sale", description = "Each pack's credits and price, smallest first.")
    @APIResponse(responseCode = "200", description = "The packs.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseViews.Packs.class),
                    examples = @ExampleObject(name = "example", value = "{\"packs\":[{\"packId\":\"small\",\"credits\":100,\"creditsMillicredits\":100000,\"priceAmount\":500,\"priceCurrency\":\"usd\"}]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchases-not-configured")
    @GET
    @Path("packs")
    public PurchaseViews.Packs packs() {
        return purchases.packs();
    }

    @Operation(summary = "Buy a credit pack",
            description = "Creates a pending purchase and a Stripe Checkout Session for it; send the user to checkoutUrl. The credits are added once Stripe reports the payment. Idempotent on the Idempotency-Key header: a retry answers the same purchase with Idempotent-Replayed: true.")
    @APIResponse(responseCode = "201", description = "The purchase, pending, with the Checkout URL.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseViews.Purchase.class),
                    examples = @ExampleObject(name = "example", value = PURCHASE_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "unknown-pack not-a-team-member team-role-required purchases-not-configured payment-provider-unavailable")
    @POST
    @Path("purchases")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response buy(
            @Parameter(description = "Idempotency key of the purchase", required = true, example = "buy-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "purchase", value = "{\"packId\":\"small\"}")))
            @NotNull(message = "a body is required") @Valid PurchaseRequest request) {
        return purchases.buy(payers.buyer(account).accountId(), IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @Operation(summary = "The caller's purchases", description = "A page of the caller's purchases, newest first, with their status.")
    @APIResponse(responseCode = "200", description = "A page of purchases.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseViews.PurchasePage.class),
                    examples = @ExampleObject(name = "example", value = "{\"page\":0,\"size\":20,\"more\":false,\"items\":[" + PURCHASE_EXAMPLE + "]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchases-not-configured")
    @GET
    @Path("purchases")
    public PurchaseViews.PurchasePage page(
            @Parameter(description = "Page, from 0", example = "0") @QueryParam("page") String page,
            @Parameter(description = "Purchases per page, 1 to 100 (default 20)", example = "20") @QueryParam("size") String size,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return purchases.page(payers.buyer(account).accountId(), QueryParameters.wholeNumber("page", page, 0, 0, 10_000),
                QueryParameters.wholeNumber("size", size, 20, 1, 100));
    }

    @Operation(summary = "One of the caller's purchases", description = "Its status and what it added; 404 for a purchase of another user.")
    @APIResponse(responseCode = "200", description = "The purchase.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseViews.Purchase.class),
                    examples = @ExampleObject(name = "example", value = PURCHASE_EXAMPLE)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchase-not-found purchases-not-configured")
    @GET
    @Path("purchases/{purchaseId}")
    public PurchaseViews.Purchase purchase(
            @Parameter(description = "The purchase id") @PathParam("purchaseId") UUID purchaseId,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return purchases.purchase(payers.buyer(account).accountId(), purchaseId);
    }
}
