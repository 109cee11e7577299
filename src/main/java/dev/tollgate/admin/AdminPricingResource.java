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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.openapi.ApiDocs;
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

    @Operation(summary = "Model prices and their history",
            description = "Every model_pricing row per model, newest effectiveFrom first, each marked current (in force now), scheduled or superseded.")
    @APIResponse(responseCode = "200", description = "The price sheet.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PriceSheet.class),
                    examples = @ExampleObject(name = "example", value = "{\"asOf\":\"2026-11-24T09:00:00Z\",\"models\":[{\"model\":\"gpt-4o-mini\",\"prices\":[{\"id\":1,\"model\":\"gpt-4o-mini\",\"inputCreditsPerMillion\":0.15,\"cachedInputCreditsPerMillion\":0.075,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":0.6,\"reasoningCreditsPerMillion\":null,\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"current\":true,\"status\":\"current\"}]}],\"truncated\":false}")))
    @GET
    public PriceSheet prices(
            @Parameter(description = "Only this model", example = "gpt-4o-mini")
            @QueryParam("model") @Size(min = 1, max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model) {
        return pricing.sheet(model);
    }

    @Operation(summary = "Schedule a new price for a model",
            description = "Inserts a model_pricing row from effectiveFrom (not in the past; default now + tollgate.pricing.cache-ttl, so that every instance has read it before it applies). Rows are never changed: they are the price history. A price change moves no credits; it needs a reason and is audited as a PRICE_CHANGE row of the audit log (the admin, the client, the reason and the prices), in the transaction of the price.")
    @APIResponse(responseCode = "201", description = "The new row and all rows of the model.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PriceChangeResponse.class),
                    examples = @ExampleObject(name = "example", value = "{\"price\":{\"id\":7,\"model\":\"gpt-4o-mini\",\"inputCreditsPerMillion\":0.15,\"cachedInputCreditsPerMillion\":0.075,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":0.6,\"reasoningCreditsPerMillion\":null,\"effectiveFrom\":\"2026-11-24T09:00:30Z\",\"createdAt\":\"2026-11-24T09:00:00Z\",\"current\":false,\"status\":\"scheduled\"},\"appliesOnEveryInstanceBy\":\"2026-11-24T09:01:00Z\",\"prices\":[{\"id\":7,\"model\":\"gpt-4o-mini\",\"inputCreditsPerMillion\":0.15,\"cachedInputCreditsPerMillion\":0.075,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":0.6,\"reasoningCreditsPerMillion\":null,\"effectiveFrom\":\"2026-11-24T09:00:30Z\",\"createdAt\":\"2026-11-24T09:00:00Z\",\"current\":false,\"status\":\"scheduled\"}],\"note\":\"Prices are never changed in place.\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "price-already-scheduled")
    @PUT
    // Model names may contain '/' (e.g. "meta-llama/llama-3.1-8b"): the segment takes the rest of the path.
    @Path("{model: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response change(
            @Parameter(description = "The model name (may contain /)", example = "gpt-4o-mini")
            @PathParam("model") @Size(max = AdminInput.MODEL_MAX)
            @Pattern(regexp = AdminInput.MODEL, message = AdminInput.MODEL_MESSAGE) String model,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "price", value = "{\"inputCreditsPerMillion\":0.15,\"cachedInputCreditsPerMillion\":0.075,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":0.6,\"reason\":\"provider list price changed\"}")))
            @NotNull(message = "a body is required") @Valid PriceChangeRequest request) {
        return Response.status(Response.Status.CREATED)
                .entity(pricing.change(admin.id(), model, request, client.origin()))
                .build();
    }
}
