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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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

    @Operation(summary = "Hold the estimate of a call",
            description = "Sets aside the estimate of the call (prompt counted, the whole output budget, priced, +20%) until it is settled or released, at most tollgate.holds.ttl (10 minutes) before the expiry job frees it. Idempotent on the Idempotency-Key header: a retry answers the same hold; the key with another body is 409.")
    @APIResponse(responseCode = "201", description = "Held (or the replay of the hold under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ReservationResponses.Held.class),
                    examples = @ExampleObject(name = "example", value = "{\"reservationId\":\"0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11\",\"status\":\"held\",\"model\":\"gpt-4o-mini\",\"promptTokens\":12,\"maxOutputTokens\":500,\"heldMillicredits\":364,\"heldCredits\":0.364,\"expiresAt\":\"2026-11-24T09:10:00Z\",\"balance\":{\"monthlyMillicredits\":100000,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":364,\"availableMillicredits\":99636,\"availableCredits\":99.636}}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "insufficient-credits member-cap-reached not-a-team-member unknown-model")
    @APIResponse(responseCode = "400", description = "A field missing or out of range, or no Idempotency-Key.")
    @APIResponse(responseCode = "402", description = "The available credits do not cover the estimate; nothing held.")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reserve(
            @Parameter(description = "Idempotency key of the hold", required = true, example = "hold-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ACCOUNT_DESCRIPTION, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "reserve", value = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"maxOutputTokens\":500}")))
            @NotNull(message = "a body is required") @Valid ReservationRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, null);
        return reservations.reserve(payers.payer(account), key, request, client.origin()).created();
    }

    @Operation(summary = "Settle a hold with the call's real usage",
            description = "Charges the real cost at the price the hold was quoted and frees the rest of the hold, in one transaction. Idempotent by reservation: a retry answers the same; another body is 409.")
    @APIResponse(responseCode = "200", description = "Settled (or the replay of the settle).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ReservationResponses.Settled.class),
                    examples = @ExampleObject(name = "example", value = "{\"reservationId\":\"0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11\",\"status\":\"settled\",\"usageId\":17,\"costMillicredits\":875,\"chargedMillicredits\":875,\"shortfallMillicredits\":0,\"releasedMillicredits\":0,\"balance\":{\"monthlyMillicredits\":99125,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":0,\"availableMillicredits\":99125,\"availableCredits\":99.125}}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "reservation-not-found reservation-already-resolved")
    @APIResponse(responseCode = "409", description = "The hold was released or expired, or settled with another body.")
    @POST
    @Path("{id}/settle")
    @Consumes(MediaType.APPLICATION_JSON)
    public ReservationResponses.Settled settle(
            @Parameter(description = HOLD_ID, example = HOLD_ID_EXAMPLE)
            @PathParam("id") String id,
            @Parameter(description = ACCOUNT_DESCRIPTION, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "settle", value = "{\"usage\":{\"uncachedInputTokens\":1200,\"outputTokens\":300},\"characterId\":\"luna\"}")))
            @NotNull(message = "a body is required") @Valid SettleRequest request) {
        return reservations.settle(payers.holder(account), holdId(id), request, client.origin());
    }

    @Operation(summary = "Release a hold without a charge",
            description = "Frees the whole hold (the call was not made). Idempotent by reservation: a retry answers the same; a hold already settled or expired is 409.")
    @APIResponse(responseCode = "200", description = "Released (or the replay of the release).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ReservationResponses.Released.class),
                    examples = @ExampleObject(name = "example", value = "{\"reservationId\":\"0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11\",\"status\":\"released\",\"releasedMillicredits\":364,\"balance\":{\"monthlyMillicredits\":100000,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":0,\"availableMillicredits\":100000,\"availableCredits\":100.0}}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "reservation-not-found reservation-already-resolved")
    @APIResponse(responseCode = "409", description = "The hold was already settled or expired.")
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
