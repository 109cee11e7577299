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

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.security.ClientContext;
import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code GET /api/admin/pricing[?model=]}: every price row per model, the one in force marked;
 * {@code PUT /api/admin/pricing/{model}}: a new price from an instant on (201), old rows kept.
 */
@Tag(name = "admin", description = "Operators' calls (role admin): jobs, adjustments with a reason, prices, the audit trail and account views.")
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

    @APIResponse(responseCode = "200", description = "The price sheet.")
    @GET
    public PriceSheet prices(
            @Parameter(description = "Only this model", example = "gpt-4o-mini")
            @QueryParam("model") @Size(min = 1, max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model) {
        return pricing.sheet(model);
    }

    @APIResponseSchema(value = PriceChangeResponse.class, responseCode = "201", responseDescription = "The new row and all rows of the model.")
    @PUT
    // Model names may contain '/' (e.g. "meta-llama/llama-3.1-8b"): the segment takes the rest of the path.
    @Path("{model: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response change(
            @Parameter(description = "The model name (may contain /)", example = "gpt-4o-mini")
            @PathParam("model") @Size(max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model,
            @NotNull(message = "a body is required") @Valid PriceChangeRequest request) {
        return Response.status(Response.Status.CREATED)
                .entity(pricing.change(admin.id(), model, request, client.origin()))
                .build();
    }
}
