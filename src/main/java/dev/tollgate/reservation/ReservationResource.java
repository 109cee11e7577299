package dev.tollgate.reservation;

import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;

import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * Holds for backends that stream from a model themselves: {@code POST /api/credit/reservations}
 * (201, or 402), then {@code …/{id}/settle} with the real usage or {@code …/{id}/release}.
 */
@Path("/api/credit/reservations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ReservationResource {

    @Inject
    ReservationService reservations;

    @Inject
    CurrentUser user;

    @Inject
    ClientContext client;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reserve(@HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid ReservationRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return Response.status(Response.Status.CREATED)
                .entity(reservations.reserve(user.id(), key, request, client.origin()))
                .build();
    }

    @POST
    @Path("{id}/settle")
    @Consumes(MediaType.APPLICATION_JSON)
    public ReservationResponses.Settled settle(@PathParam("id") String id,
            @NotNull(message = "a body is required") @Valid SettleRequest request) {
        return reservations.settle(user.id(), reservationId(id), request, client.origin());
    }

    @POST
    @Path("{id}/release")
    public ReservationResponses.Released release(@PathParam("id") String id) {
        return reservations.release(user.id(), reservationId(id), client.origin());
    }

    private static UUID reservationId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw LedgerRuleException.reservationNotFound();
        }
    }
}
