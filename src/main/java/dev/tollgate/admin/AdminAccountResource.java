package dev.tollgate.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.openapi.ApiDocs;

/**
 * {@code GET /api/admin/accounts/{userId}}: a user's account, latest ledger rows and live holds;
 * 404 if the user has no account (reading never opens one).
 */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
@Path("/api/admin/accounts")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminAccountResource {

    @Inject
    AdminAccountService accounts;

    @Operation(summary = "A user's account",
            description = "The account (buckets, available, plan, period start and next refresh), its last 20 ledger rows, its live holds, shortfalls, compensations not applied and last 20 purchases (with the bought credits a refund or dispute could not take back), read in one snapshot. Reading never opens an account.")
    @APIResponse(responseCode = "200", description = "The account.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AccountView.class),
                    examples = @ExampleObject(name = "example", value = "{\"userId\":\"alice\",\"plan\":\"free\",\"monthlyMillicredits\":91250,\"heldOverMillicredits\":0,\"grantedMillicredits\":0,\"purchasedMillicredits\":0,\"reservedMillicredits\":1200,\"availableMillicredits\":90050,\"availableCredits\":90.05,\"periodStart\":\"2026-11-01T00:00:00Z\",\"nextRefreshAt\":\"2026-12-01T00:00:00Z\",\"createdAt\":\"2026-11-02T08:00:00Z\",\"updatedAt\":\"2026-11-24T09:00:00Z\",\"recentEntries\":[],\"liveHoldCount\":1,\"liveHoldsMillicredits\":1200,\"liveHolds\":[{\"reservationId\":\"0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11\",\"amountMillicredits\":1200,\"model\":\"gpt-4o-mini\",\"idempotencyKey\":\"chat-7\",\"createdAt\":\"2026-11-24T08:59:58Z\",\"expiresAt\":\"2026-11-24T09:09:58Z\",\"pastExpiry\":false,\"chargedAtExpiry\":true}],\"shortfallCount\":0,\"shortfallMillicredits\":0,\"shortfalls\":[],\"failedCompensationCount\":0,\"failedCompensationsMillicredits\":0,\"compensations\":[{\"id\":12,\"kind\":\"CHARGE\",\"status\":\"PENDING\",\"amountMillicredits\":875,\"reason\":\"settle failed after the answer was delivered\",\"lastError\":null,\"attempts\":0,\"reservationId\":\"5d0c2a8e-1b3f-4e6a-8c9d-7f2e1a0b3c4d\",\"usageId\":null,\"createdAt\":\"2026-11-24T08:58:00Z\",\"updatedAt\":\"2026-11-24T08:58:00Z\"}],\"unrecoveredPurchaseCount\":1,\"unrecoveredPurchasesMillicredits\":60000,\"purchases\":[{\"purchaseId\":\"3f0c1e2a-7b4d-4c5e-9f6a-1b2c3d4e5f60\",\"packId\":\"small\",\"origin\":\"checkout\",\"status\":\"disputed\",\"creditsMillicredits\":100000,\"grantedMillicredits\":100000,\"clawedBackMillicredits\":40000,\"unrecoveredMillicredits\":60000,\"flaggedReason\":null,\"paymentIntentId\":\"pi_3\",\"createdAt\":\"2026-11-20T10:00:00Z\"}],\"grants\":[]}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "account-not-found")
    @GET
    @Path("{userId}")
    public AccountView account(
            @Parameter(description = "The user (the token subject)", example = "alice")
            @PathParam("userId") @Size(max = AdminInput.USER_ID_MAX)
            @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId) {
        return accounts.account(userId);
    }
}
