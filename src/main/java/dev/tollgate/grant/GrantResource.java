package dev.tollgate.grant;

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
 * {@code POST /api/admin/credit/grants}: an admin grants a user credits that expire, with a
 * priority and a reason, under an {@code Idempotency-Key}.
 */
@Tag(name = "admin")
@Path("/api/admin/credit/grants")
@RolesAllowed("admin")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GrantResource {

    @Inject
    GrantService grants;

    @Inject
    CurrentUser admin;

    @Inject
    ClientContext client;

    @Operation(summary = "Grant a user credits that expire",
            description = "Adds a lot to the user's granted bucket through the ledger: one GRANT entry with the admin as actor and the reason. Granted credits are spent after the monthly ones and before purchased ones, lots by priority (smaller first) and then soonest expiry; at expiresAt the unspent remainder is removed by a GRANT_EXPIRY entry. Opens the account if the user has none. Idempotent on the Idempotency-Key header, scoped to the target account and the admin.")
    @APIResponse(responseCode = "201", description = "Granted (or the replay under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = GrantResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"lotId\":\"0b9f4a6e-3c1d-4e8a-9b52-7d7f6a1c2e30\",\"entryId\":91,\"userId\":\"alice\",\"amountMillicredits\":500000,\"amountCredits\":500.0,\"expiresAt\":\"2027-01-05T00:00:00Z\",\"priority\":100,\"reason\":\"Welcome credits\",\"actor\":\"admin:root\",\"balance\":{\"monthlyMillicredits\":100000,\"grantedMillicredits\":500000,\"purchasedMillicredits\":0,\"reservedMillicredits\":0,\"availableMillicredits\":600000,\"availableCredits\":600.0},\"idempotencyKey\":\"welcome-alice\",\"createdAt\":\"2026-12-06T09:00:00Z\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "invalid-request self-adjustment-forbidden")
    @APIResponse(responseCode = "400", description = "A field is missing or out of range, or expiresAt is not in the future.")
    @APIResponse(responseCode = "403", description = "Not an admin, or the admin's own account.")
    @APIResponse(responseCode = "409", description = "The key was used for another request.")
    @POST
    public Response grant(
            @Parameter(description = "Idempotency key of the grant", required = true, example = "welcome-alice")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "grant", value = "{\"userId\":\"alice\",\"amountMillicredits\":500000,\"expiresAt\":\"2027-01-05T00:00:00Z\",\"priority\":100,\"reason\":\"Welcome credits\"}")))
            @NotNull(message = "a body is required") @Valid GrantRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return grants.grant(admin.id(), key, request, client.origin()).created();
    }
}
