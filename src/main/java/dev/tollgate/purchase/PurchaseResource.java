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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
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

    /** The {@code X-Tollgate-Account} of a purchase: only a team's owners buy for its pool. */
    static final String BUYER_ACCOUNT = "team:<team id> for a team's pool (owners only); the caller's own if absent";

    @Inject
    PurchaseService purchases;

    @Inject
    TeamPayers payers;

    @APIResponse(responseCode = "200", description = "The packs.")
    @GET
    @Path("packs")
    public PurchaseViews.Packs packs() {
        return purchases.packs();
    }

    @APIResponseSchema(value = PurchaseViews.Purchase.class, responseCode = "201", responseDescription = "The purchase, pending, with the Checkout URL.")
    @POST
    @Path("purchases")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response buy(
            @Parameter(description = "Idempotency key of the purchase", required = true, example = "buy-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @NotNull(message = "a body is required") @Valid PurchaseRequest request) {
        return purchases.buy(payers.buyer(account).accountId(), IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @APIResponse(responseCode = "200", description = "A page of purchases.")
    @GET
    @Path("purchases")
    public PurchaseViews.PurchasePage page(
            @Parameter(description = "Page, from 0", example = "0") @QueryParam("page") String page,
            @Parameter(description = "Purchases per page, 1 to 100 (default 20)", example = "20") @QueryParam("size") String size,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return purchases.page(payers.buyer(account).accountId(), QueryParameters.wholeNumber("page", page, 0, 0, 10_000),
                QueryParameters.wholeNumber("size", size, 20, 1, 100));
    }

    @APIResponse(responseCode = "200", description = "The purchase.")
    @GET
    @Path("purchases/{purchaseId}")
    public PurchaseViews.Purchase purchase(
            @Parameter(description = "The purchase id") @PathParam("purchaseId") UUID purchaseId,
            @Parameter(description = BUYER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return purchases.purchase(payers.buyer(account).accountId(), purchaseId);
    }
}
