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
            description = "The account (buckets, available, plan, period start and next refresh), its last 20 ledger rows and its live holds, read in one snapshot. Reading never opens an account.")
    @APIResponse(responseCode = "200", description = "The account.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AccountView.class)))
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
