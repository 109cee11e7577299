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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.idempotency.IdempotencyKey;
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

    @APIResponseSchema(value = GrantResponse.class, responseCode = "201", responseDescription = "Granted (or the replay under this key).")
    @POST
    public Response grant(
            @Parameter(description = "Idempotency key of the grant", required = true, example = "welcome-alice")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid GrantRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return grants.grant(admin.id(), key, request, client.origin()).created();
    }
}
