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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.membership.TeamPayers;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.ClientContext;

/**
 * Holds for backends that stream from a model themselves: {@code POST /api/credit/reservations}
 * (201, or 402), then {@code …/{id}/settle} with the real usage or {@code …/{id}/release}.
 */
@Tag(name = "reservations", description = "Holds for backends that call a model themselves: reserve the estimate, then settle with the real usage or release.")
@Path("/api/credit/reservations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ReservationResource {

    @Inject
    ReservationService reservations;

    @Inject
    TeamPayers payers;

    static final String HOLD_ID = "The reservationId the hold was answered with";
    static final String HOLD_ID_EXAMPLE = "0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11";
    static final String ACCOUNT_DESCRIPTION = "The account of the hold: " + ApiDocs.MEMBER_ACCOUNT;

    @Inject
    ClientContext client;

    @APIResponseSchema(value = ReservationResponses.Held.class, responseCode = "201", responseDescription = "Held (or the replay of the hold under this key).")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reserve(
            @Parameter(description = "Idempotency key of the hold", required = true, example = "hold-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ACCOUNT_DESCRIPTION, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @NotNull(message = "a body is required") @Valid ReservationRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return reservations.reserve(payers.payer(account), key, request, client.origin()).created();
    }

    @APIResponse(responseCode = "200", description = "Settled (or the replay of the settle).")
    @POST
    @Path("{id}/settle")
    @Consumes(MediaType.APPLICATION_JSON)
    public ReservationResponses.Settled settle(
            @Parameter(description = HOLD_ID, example = HOLD_ID_EXAMPLE)
            @PathParam("id") String id,
            @Parameter(description = ACCOUNT_DESCRIPTION, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @NotNull(message = "a body is required") @Valid SettleRequest request) {
        return reservations.settle(payers.holder(account), holdId(id), request, client.origin());
    }

    @APIResponse(responseCode = "200", description = "Released (or the replay of the release).")
    @POST
    @Path("{id}/release")
    public ReservationResponses.Released release(
            @Parameter(description = HOLD_ID, example = HOLD_ID_EXAMPLE)
            @PathParam("id") String id,
            @Parameter(description = ACCOUNT_DESCRIPTION, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return reservations.release(payers.holder(account), holdId(id), client.origin());
    }

    private static UUID holdId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw LedgerRuleException.holdNotFound();
        }
    }
}
