package dev.tollgate.platform.openapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Extensible;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.problem.ProblemType;

/**
 * Completes the OpenAPI document at build time (no run-time reflection) from the
 * {@link ProblemType} catalogue: the {@code Problem} schema; on every operation of the API the
 * problem types it names in its {@link ApiDocs#PROBLEM_TYPES} extension (402, 404, 409, 422, …);
 * those of an {@code Idempotency-Key} where it takes one (invalid, reserved, reused; missing where
 * the key is required); and the ones any operation can give — 400 where there is input, 401, 403 on admin operations, 413
 * where there is a body, 500. Each type is an example of the answer of its status; an answer the
 * document already describes ({@code META-INF/openapi.yaml}) keeps its description, any other gets
 * the catalogue's. The success answers of
 * an operation that takes an {@code Idempotency-Key} carry {@value Answer#REPLAYED_HEADER}, unless
 * the operation says why not ({@link ApiDocs#NOT_REPLAYED}). The extensions addressed to this
 * filter are removed from the document.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class OperationAnswersFilter implements OASFilter {

    /** The operations' extensions addressed to this filter, which the published document does not keep. */
    private static final List<String> OWN_EXTENSIONS = List.of(ApiDocs.PROBLEM_TYPES, ApiDocs.NOT_REPLAYED);

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
                complete(operation.getKey() + " " + path, path, operation.getValue());
            }
        });
    }

    private static void complete(String operationName, String path, Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        Parameter key = idempotencyKey(operation);
        documentReplayed(operationName, operation, key != null);
        List<ProblemType> types = new ArrayList<>();
        if (key != null) {
            if (Boolean.TRUE.equals(key.getRequired())) {
                types.add(ProblemType.IDEMPOTENCY_KEY_MISSING);
            }
            types.addAll(List.of(ProblemType.IDEMPOTENCY_KEY_INVALID, ProblemType.IDEMPOTENCY_KEY_RESERVED,
                    ProblemType.IDEMPOTENCY_KEY_REUSED));
        }
        types.addAll(ownTypes(operationName, operation));
        boolean hasInput = operation.getRequestBody() != null
                || (operation.getParameters() != null && !operation.getParameters().isEmpty());
        if (hasInput) {
            types.add(ProblemType.INVALID_REQUEST);
        }
        types.add(ProblemType.UNAUTHENTICATED);
        if (path.startsWith("/api/admin/")) {
            types.add(ProblemType.FORBIDDEN);
        }
        if (operation.getRequestBody() != null) {
            types.add(ProblemType.BODY_TOO_LARGE);
        }
        types.add(ProblemType.INTERNAL_ERROR);
        Map<Integer, List<ProblemType>> byStatus = types.stream().distinct()
                .collect(Collectors.groupingBy(ProblemType::status, LinkedHashMap::new, Collectors.toList()));
        byStatus.forEach((status, ofStatus) -> document(operation.getResponses(), status, ofStatus));
        for (String name : OWN_EXTENSIONS) {
            removeExtension(operation, name);
            removeExtension(operation.getResponses(), name);
            operation.getResponses().getAPIResponses().values().forEach(response -> removeExtension(response, name));
        }
    }

    /** The operation's {@code Idempotency-Key} header parameter, or null. */
    private static Parameter idempotencyKey(Operation operation) {
        return operation.getParameters() == null ? null : operation.getParameters().stream()
                .filter(parameter -> parameter.getIn() == Parameter.In.HEADER
                        && IdempotencyKey.HEADER.equalsIgnoreCase(parameter.getName()))
                .findFirst().orElse(null);
    }

    /**
     * {@value Answer#REPLAYED_HEADER} on the success answers of an operation that takes an
     * {@code Idempotency-Key} ({@link Answer} sends it), unless the operation names why it does not.
     */
    private static void documentReplayed(String name, Operation operation, boolean takesKey) {
        boolean notReplayed = extension(operation, ApiDocs.NOT_REPLAYED) != null;
        if (notReplayed && !takesKey) {
            throw new IllegalStateException(name + " names " + ApiDocs.NOT_REPLAYED
                    + " but takes no " + IdempotencyKey.HEADER);
        }
        if (!takesKey || notReplayed) {
            return;
        }
        operation.getResponses().getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("2")) {
                response.addHeader(Answer.REPLAYED_HEADER, OASFactory.createHeader()
                        .description("true when this answers a retry")
                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.BOOLEAN)));
            }
        });
    }

    private static Object extension(Extensible<?> extensible, String name) {
        return extensible.getExtensions() == null ? null : extensible.getExtensions().get(name);
    }

    private static void removeExtension(Extensible<?> extensible, String name) {
        if (extension(extensible, name) != null) {
            extensible.removeExtension(name);
        }
    }

    /** The types the operation names in its extension. */
    private static List<ProblemType> ownTypes(String name, Operation operation) {
        Object named = extension(operation, ApiDocs.PROBLEM_TYPES);
        if (named == null) {
            return List.of();
        }
        List<ProblemType> types = new ArrayList<>();
        for (String slug : named.toString().trim().split("[\\s,]+")) {
            types.add(ProblemType.ofSlug(slug).orElseThrow(() -> new IllegalStateException(
                    name + " names an unknown problem type: " + slug)));
        }
        return types;
    }

    private static void document(APIResponses responses, int status, List<ProblemType> types) {
        String code = Integer.toString(status);
        APIResponse response = responses.getAPIResponse(code);
        if (response == null) {
            response = OASFactory.createAPIResponse().description(types.stream().map(ProblemType::answeredWhen)
                    .collect(Collectors.joining(" ")));
            responses.addAPIResponse(code, response);
        }
        if (response.getContent() == null) {
            response.setContent(OASFactory.createContent());
        }
        Content content = response.getContent();
        MediaType problem = content.getMediaType(ApiDocs.PROBLEM_JSON);
        if (problem == null) {
            // Quarkus' automatic 400/401/403 answers come without a body: ours is problem details.
            problem = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ApiDocs.PROBLEM_SCHEMA));
            content.addMediaType(ApiDocs.PROBLEM_JSON, problem);
        }
        for (ProblemType type : types) {
            if (problem.getExamples() == null || !problem.getExamples().containsKey(type.slug())) {
                problem.addExample(type.slug(), OASFactory.createExample().value(type.example()));
            }
        }
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details. Extra members where they help (required, available, "
                        + "violations, model, retryAfterSeconds, …).")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri")
                        .description("Stable per kind of error: " + ProblemType.URI_BASE + "<slug>"))
                .addProperty("title", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .additionalPropertiesSchema(OASFactory.createSchema())
                .addRequired("type")
                .addRequired("title")
                .addRequired("status");
    }
}
