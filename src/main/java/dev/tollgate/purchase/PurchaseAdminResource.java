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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

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

    @APIResponse(responseCode = "200", description = "The refund was asked of Stripe.")
    @POST
    @Path("{purchaseId}/refund")
    @Consumes(MediaType.APPLICATION_JSON)
    public PurchaseRefunds.Requested refund(
            @Parameter(description = "The purchase id") @PathParam("purchaseId") UUID purchaseId,
            @NotNull(message = "a body is required") @Valid RefundRequest request) {
        return refunds.refund(admin.id(), purchaseId, request, client.origin());
    }
}
