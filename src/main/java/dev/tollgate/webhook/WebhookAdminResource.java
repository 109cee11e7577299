package dev.tollgate.webhook;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
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

import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.security.CurrentUser;

/**
 * {@code /api/admin/webhooks}: the endpoints that receive Tollgate's signed events, and their
 * deliveries. Changes take an Idempotency-Key.
 */
@Tag(name = "admin")
@Path("/api/admin/webhooks")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookAdminResource {

    static final String STATUS = "pending|delivered|dead";
    static final String KEY = "Idempotency key of the call";
    static final String ENDPOINT_ID = "The endpoint id";

    @Inject
    WebhookEndpoints endpoints;

    @Inject
    CurrentUser admin;

    @APIResponseSchema(value = WebhookEndpointView.class, responseCode = "201", responseDescription = "Registered (or the replay under this key), with its secret.")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(
            @Parameter(description = KEY, required = true, example = "hook-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @NotNull(message = "a body is required") @Valid WebhookEndpointRequest request) {
        return endpoints.create(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @APIResponse(responseCode = "200", description = "The endpoints.")
    @GET
    public List<WebhookEndpointView> list() {
        return endpoints.list();
    }

    @APIResponse(responseCode = "200", description = "The endpoint.")
    @GET
    @Path("{id}")
    public WebhookEndpointView get(@Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id) {
        return endpoints.get(id);
    }

    @APIResponseSchema(value = WebhookEndpointView.class, responseCode = "200", responseDescription = "The endpoint as it is now.")
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(
            @Parameter(description = KEY, required = true, example = "hook-1-off")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id,
            @NotNull(message = "a body is required") @Valid WebhookEndpointUpdate update) {
        return ok(endpoints.update(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), id, update));
    }

    @APIResponseSchema(value = WebhookEndpoints.Deleted.class, responseCode = "200", responseDescription = "Deleted (or the replay under this key).")
    @DELETE
    @Path("{id}")
    public Response delete(
            @Parameter(description = KEY, required = true, example = "hook-1-delete")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id) {
        return ok(endpoints.delete(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), id));
    }

    @APIResponse(responseCode = "200", description = "The deliveries.")
    @GET
    @Path("{id}/deliveries")
    public List<WebhookDeliveryView> deliveries(
            @Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id,
            @Parameter(description = "Only deliveries of this status", example = "dead")
            @QueryParam("status") @Pattern(regexp = STATUS, message = "is pending, delivered or dead") String status,
            @Parameter(description = "At most this many (1 to 500)", example = "100")
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(WebhookEndpoints.MAX_DELIVERIES) int limit) {
        return endpoints.deliveries(id, status, limit);
    }

    @APIResponseSchema(value = WebhookDeliveryView.class, responseCode = "200", responseDescription = "The delivery, pending again.")
    @POST
    @Path("deliveries/{deliveryId}/replay")
    public Response replay(
            @Parameter(description = KEY, required = true, example = "replay-42")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = "The delivery id") @PathParam("deliveryId") long deliveryId) {
        return ok(endpoints.replay(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), deliveryId));
    }

    private static Response ok(Answer<?> answer) {
        return Response.ok(answer.value()).header(Answer.REPLAYED_HEADER, String.valueOf(answer.replayed())).build();
    }
}
