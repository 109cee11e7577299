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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

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

    @APIResponse(responseCode = "200", description = "The account.")
    @GET
    @Path("{userId}")
    public AccountView account(
            @Parameter(description = "The user (the token subject)", example = "alice")
            @PathParam("userId") @Size(max = AdminInput.USER_ID_MAX)
            @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId) {
        return accounts.account(userId);
    }
}
