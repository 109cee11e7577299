package dev.tollgate.balance;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.security.CurrentUser;

/** {@code GET /api/credit/balance}: the caller's credits. */
@Path("/api/credit/balance")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class BalanceResource {

    @Inject
    BalanceService balances;

    @Inject
    CurrentUser user;

    @GET
    public BalanceResponse balance() {
        return balances.balanceOf(user.id());
    }
}
