package dev.tollgate.purchase;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/** {@code POST /api/admin/purchases/{id}/refund}: an admin refunds a purchase through Stripe. */
@Tag(name = "admin")
@Path("/api/admin/purchases")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class PurchaseAdminResource {

    @Inject
    PurchaseRefunds refunds;

    @Inject
    CurrentUser admin;

    @Inject
    ClientContext client;

    @Operation(summary = "Refund a purchase",
            description = "Asks Stripe to refund the purchase's whole payment (one refund per purchase, however often it is asked), with a mandatory reason kept in the audit trail as a REFUND_REQUEST row. The credits are taken back when Stripe reports the refund.")
    @APIResponse(responseCode = "200", description = "The refund was asked of Stripe.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PurchaseRefunds.Requested.class),
                    examples = @ExampleObject(name = "example", value = "{\"purchaseId\":\"3f0c1e2a-7b4d-4c5e-9f6a-1b2c3d4e5f60\",\"refundId\":\"re_1\",\"status\":\"requested\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "purchase-not-found purchase-not-refundable purchases-not-configured payment-provider-unavailable")
    @POST
    @Path("{purchaseId}/refund")
    @Consumes(MediaType.APPLICATION_JSON)
    public PurchaseRefunds.Requested refund(
            @Parameter(description = "The purchase id") @PathParam("purchaseId") UUID purchaseId,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "refund", value = "{\"reason\":\"charged twice by mistake\"}")))
            @NotNull(message = "a body is required") @Valid RefundRequest request) {
        return refunds.refund(admin.id(), purchaseId, request, client.origin());
    }
}
