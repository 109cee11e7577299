package dev.tollgate.balance;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.membership.TeamPayers;
import dev.tollgate.platform.openapi.ApiDocs;

/** {@code GET /api/credit/balance}: the caller's credits. */
@Tag(name = "credits", description = "The caller's credits: balance, usage, estimates and charges. The user is always the token's subject.")
@Path("/api/credit/balance")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class BalanceResource {

    @Inject
    BalanceService balances;

    @Inject
    TeamPayers payers;

    @APIResponse(responseCode = "200", description = "The balance.")
    @GET
    public BalanceResponse balance(
            @Parameter(description = ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return balances.balanceOf(payers.payer(account).accountId());
    }
}
