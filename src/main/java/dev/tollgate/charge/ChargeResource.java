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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
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

    @APIResponseSchema(value = ChargeResponse.class, responseCode = "201", responseDescription = "Charged (or the replay of the charge under this key).")
    @POST
    public Response charge(
            @Parameter(description = "Idempotency key of the charge (or send requestId in the body)", example = "call-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = "The account to charge: " + ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE)
            @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account,
            @NotNull(message = "a body is required") @Valid ChargeRequest request) {
        IdempotencyKey key = IdempotencyKey.resolve(idempotencyKey, request.requestId());
        return charges.charge(payers.payer(account), key, request, client.origin()).created();
    }
}
