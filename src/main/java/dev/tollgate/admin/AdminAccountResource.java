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

/**
 * {@code GET /api/admin/accounts/{userId}}: a user's account, latest ledger rows and live holds;
 * 404 if the user has no account (reading never opens one).
 */
@Path("/api/admin/accounts")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminAccountResource {

    @Inject
    AdminAccountService accounts;

    @GET
    @Path("{userId}")
    public AccountView account(@PathParam("userId") @Size(max = AdminInput.USER_ID_MAX)
            @Pattern(regexp = AdminInput.USER_ID, message = AdminInput.USER_ID_MESSAGE) String userId) {
        return accounts.account(userId);
    }
}
