package dev.tollgate.balance;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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

    @Operation(summary = "The caller's balance",
            description = "Buckets (monthly, granted, purchased, reserved) and the grant lots that still hold credits (in the order they are spent, each with its expiry), the available credits, the plan, the period and the next refresh, the warning level (ok, low, critical, empty) with its thresholds, and the forecast: the net daily spend of the last 7 days and when the available credits run out at that pace (null without spending), before the next refresh or not. The first call opens the account with the plan's monthly allowance. With X-Tollgate-Account: team:<id>, the balance of a team's pool the caller is a member of.")
    @APIResponse(responseCode = "200", description = "The balance.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BalanceResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"plan\":\"free\",\"monthlyMillicredits\":100000,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":0,\"availableMillicredits\":100000,\"availableCredits\":100.0,\"periodStart\":\"2026-11-01T00:00:00Z\",\"nextRefreshAt\":\"2026-12-01T00:00:00Z\",\"warningLevel\":\"ok\",\"thresholds\":{\"lowMillicredits\":20000,\"criticalMillicredits\":5000},\"upgradeHint\":true,\"autoTopUp\":null,\"forecast\":{\"dailySpendMillicredits\":9000,\"depletesAt\":\"2026-11-25T14:40:00Z\",\"beforeRefresh\":true},\"grants\":[]}")))
    @GET
    public BalanceResponse balance(
            @Parameter(description = ApiDocs.MEMBER_ACCOUNT, example = ApiDocs.TEAM_ACCOUNT_EXAMPLE) @HeaderParam(TeamPayers.ACCOUNT_HEADER) String account) {
        return balances.balanceOf(payers.payer(account).accountId());
    }
}
