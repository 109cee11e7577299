package dev.tollgate.charge;

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

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/** {@code POST /api/credit/charges}: charge the real usage of a call made elsewhere. */
@Path("/api/credit/charges")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ChargeResource {

    @Inject
    ChargeService charges;

    @Inject
    CurrentUser user;

    @Inject
    ClientContext client;

    @POST
    public Response charge(@HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid ChargeRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, request.requestId());
        ChargeService.Charged charged = charges.charge(user.id(), key, request, client.origin());
        return Response.status(Response.Status.CREATED)
                .header("Idempotent-Replayed", String.valueOf(charged.replayed()))
                .entity(charged.response())
                .build();
    }
}
