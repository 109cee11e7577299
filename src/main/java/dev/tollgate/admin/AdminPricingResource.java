package dev.tollgate.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code GET /api/admin/pricing[?model=]}: every price row per model, the one in force marked;
 * {@code PUT /api/admin/pricing/{model}}: a new price from an instant on (201), old rows kept.
 */
@Path("/api/admin/pricing")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminPricingResource {

    @Inject
    AdminPricingService pricing;

    @Inject
    CurrentUser admin;

    @Inject
    ClientContext client;

    @GET
    public PriceSheet prices(@QueryParam("model") @Size(min = 1, max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model) {
        return pricing.sheet(model);
    }

    @PUT
    // Model names may contain '/' (e.g. "meta-llama/llama-3.1-8b"): the segment takes the rest of the path.
    @Path("{model: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response change(@PathParam("model") @Size(max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model,
            @NotNull(message = "a body is required") @Valid PriceChangeRequest request) {
        return Response.status(Response.Status.CREATED)
                .entity(pricing.change(admin.id(), model, request, client.origin()))
                .build();
    }
}
