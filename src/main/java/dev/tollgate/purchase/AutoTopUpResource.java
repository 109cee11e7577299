package dev.tollgate.purchase;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.Authenticated;

import dev.tollgate.platform.security.CurrentUser;

/** {@code GET}, {@code PUT /api/credit/auto-top-up}: the caller's auto top-up. */
@Tag(name = "purchases")
@Path("/api/credit/auto-top-up")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AutoTopUpResource {

    @Inject
    AutoTopUpSettings settings;

    @Inject
    CurrentUser user;

    @APIResponse(responseCode = "200", description = "The setting.")
    @GET
    public AutoTopUpView get() {
        return settings.of(user.id());
    }

    @APIResponse(responseCode = "200", description = "The setting as stored.")
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public AutoTopUpView set(@NotNull(message = "a body is required") @Valid AutoTopUpRequest request) {
        return settings.set(user.id(), request);
    }
}
