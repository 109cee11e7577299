package dev.tollgate.precheck;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.security.CurrentUser;

/** {@code POST /api/credit/pre-check}: can the caller afford this message? 200 with the estimate, or 402. */
@Tag(name = "credits", description = "The caller's credits: balance, usage, estimates and charges. The user is always the token's subject.")
@Path("/api/credit/pre-check")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PreCheckResource {

    @Inject
    PreCheckService preCheck;

    @Inject
    CurrentUser user;

    @APIResponse(responseCode = "200", description = "The estimate; the available credits cover it.")
    @POST
    public PreCheckResponse check(@NotNull(message = "a body is required") @Valid PreCheckRequest request) {
        return preCheck.check(user.id(), request);
    }
}
