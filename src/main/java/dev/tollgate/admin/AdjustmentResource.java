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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
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

    @Operation(summary = "Adjust a user's credits, with a reason",
            description = "Adds to or takes from one bucket (monthly or purchased) of a user's account through the ledger: one ADJUST entry with the admin as actor, the client IP, user agent and reason. Opens the account if the user has none. Idempotent on the Idempotency-Key header, scoped to the target account and the admin.")
    @APIResponse(responseCode = "201", description = "Adjusted (or the replay under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AdjustmentResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"entryId\":88,\"userId\":\"alice\",\"bucket\":\"purchased\",\"amountMillicredits\":5000,\"amountCredits\":5.0,\"reason\":\"Goodwill credit for ticket 4711\",\"actor\":\"admin:root\",\"monthlyDeltaMillicredits\":0,\"purchasedDeltaMillicredits\":5000,\"reservedDeltaMillicredits\":0,\"balance\":{\"monthlyMillicredits\":100000,\"grantedMillicredits\":0,\"purchasedMillicredits\":5000,\"reservedMillicredits\":0,\"availableMillicredits\":105000,\"availableCredits\":105.0},\"idempotencyKey\":\"ticket-4711\",\"createdAt\":\"2026-11-24T09:00:00Z\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "self-adjustment-forbidden adjustment-would-overdraw")
    @APIResponse(responseCode = "403", description = "Not an admin, or the admin's own account.")
    @APIResponse(responseCode = "409", description = "A bucket or the available balance would go below zero, or the key was used for another request.")
    @POST
    public Response adjust(
            @Parameter(description = "Idempotency key of the adjustment (at most 239 characters)", required = true, example = "ticket-4711")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "adjustment", value = "{\"userId\":\"alice\",\"bucket\":\"purchased\",\"amountMillicredits\":5000,\"reason\":\"Goodwill credit for ticket 4711\"}")))
            @NotNull(message = "a body is required") @Valid AdjustmentRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return adjustments.adjust(admin.id(), key, request, client.origin()).created();
    }
}
