package dev.tollgate.platform.openapi;

import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Completes the OpenAPI document at build time (no run-time reflection): the {@code Problem}
 * schema, and on every operation of the API the problem answers any of them can give — 401 without
 * a valid token, 403 on admin operations, 400 where there is input to refuse, 413 where there is a
 * body, 500 — unless the operation documents its own (Quarkus' automatic answers without a body get
 * the problem details body). The resources document the answers that are
 * their own (402, 404, 409, 422, …) with examples.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ProblemResponsesFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema(ApiDocs.PROBLEM_SCHEMA, problemSchema());
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/api/") && !path.startsWith("/v1/")) {
                return;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> operation : item.getOperations().entrySet()) {
                complete(path, operation.getValue());
            }
        });
    }

    private static void complete(String path, Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        boolean hasInput = operation.getRequestBody() != null
                || (operation.getParameters() != null && !operation.getParameters().isEmpty());
        if (hasInput) {
            addIfAbsent(responses, "400", "The request is not valid (a field missing or out of range, malformed JSON).",
                    "invalid-request", ApiDocs.INVALID_REQUEST);
        }
        addIfAbsent(responses, "401", "No valid bearer token.", "unauthenticated", ApiDocs.UNAUTHENTICATED);
        if (path.startsWith("/api/admin/")) {
            addIfAbsent(responses, "403", "The token lacks the admin role.", "forbidden", ApiDocs.FORBIDDEN);
        }
        if (operation.getRequestBody() != null) {
            addIfAbsent(responses, "413", "The body is larger than the limit (1 MB).", "body-too-large",
                    ApiDocs.BODY_TOO_LARGE);
        }
        addIfAbsent(responses, "500", "A bug: never with details. Retrying with the same idempotency key is safe.",
                "internal-error", ApiDocs.INTERNAL_ERROR);
    }

    private static void addIfAbsent(APIResponses responses, String status, String description, String exampleName,
            String example) {
        Content problem = OASFactory.createContent().addMediaType(ApiDocs.PROBLEM_JSON, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(ApiDocs.PROBLEM_SCHEMA))
                .addExample(exampleName, OASFactory.createExample().value(example)));
        APIResponse present = responses.getAPIResponse(status);
        if (present == null) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description).content(problem));
        } else if (present.getContent() == null || present.getContent().getMediaTypes() == null
                || present.getContent().getMediaTypes().isEmpty()) {
            // Quarkus' automatic 400/401/403 answers come without a body: ours is problem details.
            present.setContent(problem);
        }
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details. Extra members where they help (required, available, "
                        + "violations, model, retryAfterSeconds, …).")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri")
                        .description("Stable per kind of error: https://tollgate.dev/problems/<slug>"))
                .addProperty("title", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .additionalPropertiesSchema(OASFactory.createSchema())
                .addRequired("type")
                .addRequired("title")
                .addRequired("status");
    }
}
