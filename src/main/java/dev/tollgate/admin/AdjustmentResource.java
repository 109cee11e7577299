package dev.tollgate.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code POST /api/admin/credit/adjustments}: an admin adds to or takes from one bucket of a
 * user's credits, with a reason, under an {@code Idempotency-Key}.
 */
@Path("/api/admin/credit/adjustments")
@RolesAllowed("admin")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdjustmentResource {

    @Inject
    AdjustmentService adjustments;

    @Inject
    CurrentUser admin;

    @Inject
    ClientContext client;

    @POST
    public Response adjust(@HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid AdjustmentRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        AdjustmentService.Adjusted adjusted = adjustments.adjust(admin.id(), key, request, client.origin());
        return Response.status(Response.Status.CREATED)
                .header("Idempotent-Replayed", String.valueOf(adjusted.replayed()))
                .entity(adjusted.response())
                .build();
    }
}
