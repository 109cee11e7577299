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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code POST /api/admin/credit/adjustments}: an admin adds to or takes from one bucket of a
 * user's credits, with a reason, under an {@code Idempotency-Key}.
 */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
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

    @APIResponseSchema(value = AdjustmentResponse.class, responseCode = "201", responseDescription = "Adjusted (or the replay under this key).")
    @POST
    public Response adjust(
            @Parameter(description = "Idempotency key of the adjustment (at most 239 characters)", required = true, example = "ticket-4711")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid AdjustmentRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return adjustments.adjust(admin.id(), key, request, client.origin()).created();
    }
}
