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

import dev.tollgate.membership.TeamPayers;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.platform.security.ClientContext;

/** {@code POST /api/credit/charges}: charge the real usage of a call made elsewhere. */
@Tag(name = "credits", description = "The caller's credits: balance, usage, estimates and charges. The user is always the token's subject.")
@Path("/api/credit/charges")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ChargeResource {

    @Inject
    ChargeService charges;

    @Inject
    TeamPayers payers;

    @Inject
    ClientContext client;

    @Operation(summary = "Charge a call another backend made",
            description = "Records the call's real usage and charges its exact price, rounded up to the next millicredit, monthly bucket first. Idempotent on the Idempotency-Key header (or requestId): a retry answers the same body with Idempotent-Replayed: true; the key with another body is 409. 402 and nothing changed if the available credits do not cover it.")
    @APIResponse(responseCode = "201", description = "Charged (or the replay of the charge under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ChargeResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"chargeId\":41,\"usageId\":17,\"requestId\":\"call-1\",\"model\":\"gpt-4o-mini\",\"costMillicredits\":875,\"costCredits\":0.875,\"balance\":{\"monthlyMillicredits\":99125,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":0,\"availableMillicredits\":99125,\"availableCredits\":99.125},\"chargedAt\":\"2026-11-24T09:00:00Z\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "idempotency-key-missing idempotency-key-mismatch insufficient-credits member-cap-reached not-a-team-member unknown-model")
    @APIResponse(responseCode = "400", description = "A field missing or out of range, or no Idempotency-Key.")
    @APIResponse(responseCode = "402", description = "The available credits do not cover the charge; nothing changed.")
    @POST
    public Response charge(
            @Parameter(description = "Idempotency key of the charge (or send requestId in the body)", example = "call-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = "The account to charge: " + ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE)
            @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "charge", value = "{\"model\":\"gpt-4o-mini\",\"characterId\":\"luna\",\"usage\":{\"uncachedInputTokens\":1200,\"outputTokens\":300}}")))
            @NotNull(message = "a body is required") @Valid ChargeRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, request.requestId());
        return charges.charge(payers.payer(account), key, request, client.origin()).created();
    }
}
