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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.openapi.ApiDocs;
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

    static final String ENDPOINT = "{\"id\":\"5b8f3c1e-2a4d-4e6f-9a0b-1c2d3e4f5a6b\",\"url\":\"https://chat.example.com/hooks/tollgate\",\"eventTypes\":[\"balance.low\",\"purchase.completed\"],\"enabled\":true,\"description\":\"chat backend\",\"createdAt\":\"2026-11-24T09:00:00Z\",\"updatedAt\":\"2026-11-24T09:00:00Z\"";
    static final String DELIVERY = "{\"id\":42,\"eventId\":\"msg_2f1c0e8a9b7d4c3e8f6a5b4c3d2e1f0a\",\"eventType\":\"balance.low\",\"userId\":\"alice\",\"endpointId\":\"5b8f3c1e-2a4d-4e6f-9a0b-1c2d3e4f5a6b\",\"status\":\"dead\",\"attempts\":8,\"inFlight\":false,\"nextAttemptAt\":\"2026-11-24T10:00:00Z\",\"lastStatusCode\":503,\"lastError\":\"the receiver answered 503\",\"deliveredAt\":null,\"createdAt\":\"2026-11-24T09:00:00Z\"}";
    static final String STATUS = "pending|delivered|dead";
    static final String KEY = "Idempotency key of the call";
    static final String ENDPOINT_ID = "The endpoint id";

    @Inject
    WebhookEndpoints endpoints;

    @Inject
    CurrentUser admin;

    @Operation(summary = "Register a webhook endpoint",
            description = "Registers a URL that receives the event types named (none: all), signed per Standard Webhooks with the endpoint's secret (generated if not given). The secret is in this answer only. The URL must be absolute https without user info, and its host must resolve to public addresses only. Idempotent on the Idempotency-Key header.")
    @APIResponse(responseCode = "201", description = "Registered (or the replay under this key), with its secret.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookEndpointView.class),
                    examples = @ExampleObject(name = "example", value = ENDPOINT + ",\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-url-not-allowed unknown-event-type webhook-secret-invalid")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(
            @Parameter(description = KEY, required = true, example = "hook-1")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "endpoint", value = "{\"url\":\"https://chat.example.com/hooks/tollgate\",\"eventTypes\":[\"balance.low\",\"purchase.completed\"],\"description\":\"chat backend\"}")))
            @NotNull(message = "a body is required") @Valid WebhookEndpointRequest request) {
        return endpoints.create(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), request).created();
    }

    @Operation(summary = "List webhook endpoints", description = "Every endpoint, oldest first, without secrets.")
    @APIResponse(responseCode = "200", description = "The endpoints.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = WebhookEndpointView.class),
                    examples = @ExampleObject(name = "example", value = "[" + ENDPOINT + "}]")))
    @GET
    public List<WebhookEndpointView> list() {
        return endpoints.list();
    }

    @Operation(summary = "One webhook endpoint", description = "The endpoint, without its secret.")
    @APIResponse(responseCode = "200", description = "The endpoint.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookEndpointView.class),
                    examples = @ExampleObject(name = "example", value = ENDPOINT + "}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-endpoint-not-found")
    @GET
    @Path("{id}")
    public WebhookEndpointView get(@Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id) {
        return endpoints.get(id);
    }

    @Operation(summary = "Change a webhook endpoint",
            description = "Replaces what the body names: url (checked as on create), eventTypes (empty: all), enabled (false holds its deliveries until it is enabled again), description. Idempotent on the Idempotency-Key header.")
    @APIResponse(responseCode = "200", description = "The endpoint as it is now.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookEndpointView.class),
                    examples = @ExampleObject(name = "example", value = ENDPOINT + "}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-endpoint-not-found webhook-url-not-allowed unknown-event-type")
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(
            @Parameter(description = KEY, required = true, example = "hook-1-off")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "disable", value = "{\"enabled\":false}")))
            @NotNull(message = "a body is required") @Valid WebhookEndpointUpdate update) {
        return ok(endpoints.update(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), id, update));
    }

    @Operation(summary = "Delete a webhook endpoint",
            description = "Deletes the endpoint and its deliveries, sent or not; no more events go to it. Idempotent on the Idempotency-Key header.")
    @APIResponse(responseCode = "200", description = "Deleted (or the replay under this key).",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = WebhookEndpoints.Deleted.class),
                    examples = @ExampleObject(name = "example", value = "{\"id\":\"5b8f3c1e-2a4d-4e6f-9a0b-1c2d3e4f5a6b\",\"deleted\":true}")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-endpoint-not-found")
    @DELETE
    @Path("{id}")
    public Response delete(
            @Parameter(description = KEY, required = true, example = "hook-1-delete")
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            @Parameter(description = ENDPOINT_ID) @PathParam("id") UUID id) {
        return ok(endpoints.delete(admin.id(), IdempotencyKey.resolve(idempotencyKey, null), id));
    }

    @Operation(summary = "Deliveries of a webhook endpoint",
            description = "The endpoint's deliveries, newest first: status (pending, delivered, dead), attempts, whether one is in flight, the last status code and error.")
    @APIResponse(responseCode = "200", description = "The deliveries.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = WebhookDeliveryView.class),
                    examples = @ExampleObject(name = "example", value = "[" + DELIVERY + "]")))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-endpoint-not-found")
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

    @Operation(summary = "Replay a webhook delivery",
            description = "Sends the delivery again, whatever its status, with the same webhook-id (receivers deduplicate on it) and a fresh count of attempts. Idempotent on the Idempotency-Key header.")
    @APIResponse(responseCode = "200", description = "The delivery, pending again.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookDeliveryView.class),
                    examples = @ExampleObject(name = "example", value = DELIVERY)))
    @Extension(name = ApiDocs.PROBLEM_TYPES, value = "webhook-delivery-not-found")
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
