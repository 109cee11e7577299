package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.tollgate.platform.openapi.ApiDocs;
import dev.tollgate.testing.Management;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The OpenAPI document at {@code /q/openapi} (management port) documents every operation of the API: a summary and a
 * description, its success answer with a schema and an example, its request body with an example, and its
 * error answers as problem details — at least 401 and 500 everywhere, 403 on admin operations, 400
 * and 413 where there is input — each pointing at the Problem schema, and the 429 of the rate-limit
 * tier each operation is in. An operation that takes an Idempotency-Key documents the key's problems
 * and Idempotent-Replayed on its success answers, and the extensions the operations address to the filter that completes
 * the document are gone from it.
 */
@QuarkusTest
class OpenApiTest {

    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode document() throws Exception {
        String text = Management.given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        return JSON.readTree(text);
    }

    /** Every operation of the API (path, method, operation). */
    static List<Map.Entry<String, JsonNode>> operations(JsonNode document) {
        List<Map.Entry<String, JsonNode>> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> {
            if (!path.getKey().startsWith("/api/") && !path.getKey().startsWith("/v1/")) {
                return;
            }
            path.getValue().fields().forEachRemaining(method -> {
                if (METHODS.contains(method.getKey())) {
                    operations.add(Map.entry(method.getKey().toUpperCase() + " " + path.getKey(), method.getValue()));
                }
            });
        });
        return operations;
    }

    @Test
    void everyOperationHasASummaryADescriptionAndDocumentedAnswers() throws Exception {
        JsonNode document = document();
        List<Map.Entry<String, JsonNode>> operations = operations(document);
        // Guard against a vacuous check: the API's operations are all there.
        assertThat(operations.stream().map(Map.Entry::getKey)).contains("GET /api/credit/balance",
                "POST /api/credit/charges", "POST /api/credit/pre-check", "GET /api/credit/usage",
                "POST /api/credit/reservations", "POST /api/credit/reservations/{id}/settle",
                "POST /api/credit/reservations/{id}/release", "POST /v1/chat/completions",
                "POST /api/admin/jobs/{name}", "POST /api/admin/credit/process-compensations",
                "POST /api/admin/credit/adjustments", "GET /api/admin/pricing", "PUT /api/admin/pricing/{model}",
                "GET /api/admin/audit", "GET /api/admin/accounts/{userId}", "GET /api/credit/packs",
                "POST /api/credit/purchases", "GET /api/credit/purchases", "GET /api/credit/purchases/{purchaseId}",
                "POST /api/webhooks/stripe",
                "POST /api/admin/purchases/{purchaseId}/refund");

        for (Map.Entry<String, JsonNode> entry : operations) {
            String name = entry.getKey();
            JsonNode operation = entry.getValue();
            assertThat(operation.path("summary").asText()).as(name + " summary").isNotBlank();
            assertThat(operation.path("description").asText()).as(name + " description").isNotBlank();
            assertThat(operation.path("tags")).as(name + " tags").isNotEmpty();
            JsonNode responses = operation.path("responses");

            List<String> success = new ArrayList<>();
            responses.fieldNames().forEachRemaining(code -> {
                if (code.startsWith("2")) {
                    success.add(code);
                }
            });
            assertThat(success).as(name + " success answers").isNotEmpty();
            for (String code : success) {
                assertThat(responses.path(code).path("description").asText()).as(name + " " + code).isNotBlank();
                JsonNode content = responses.path(code).path("content");
                assertThat(content).as(name + " " + code + " content").isNotEmpty();
                content.fields().forEachRemaining(media -> {
                    String what = name + " " + code + " " + media.getKey();
                    assertThat(media.getValue().path("schema")).as(what + " schema").isNotEmpty();
                    assertThat(media.getValue().path("examples")).as(what + " example").isNotEmpty();
                });
            }

            List<String> errors = new ArrayList<>(List.of("401", "500"));
            if (name.contains(" /api/admin/")) {
                errors.add("403");
            }
            if (operation.has("requestBody")) {
                errors.add("400");
                errors.add("413");
                assertThat(operation.path("requestBody").path("content").path("application/json").path("examples"))
                        .as(name + " request example").isNotEmpty();
            }
            for (String code : errors) {
                assertThat(responses.has(code)).as(name + " documents " + code).isTrue();
            }
            responses.fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    String what = name + " " + response.getKey();
                    JsonNode problem = response.getValue().path("content").path("application/problem+json");
                    assertThat(response.getValue().path("description").asText()).as(what).isNotBlank();
                    assertThat(problem.path("schema").path("$ref").asText()).as(what).endsWith("/Problem");
                    assertThat(problem.path("examples")).as(what + " example").isNotEmpty();
                }
            });
        }
    }

    /**
     * The operations' prose ({@code META-INF/openapi.yaml}) describes exactly the resources'
     * operations: a path or method in one and not the other would publish a half-documented operation.
     */
    @Test
    void theProseDescribesExactlyTheResourcesOperations() throws Exception {
        JsonNode prose = new ObjectMapper(new YAMLFactory()).readTree(OpenApiTest.class.getResource("/META-INF/openapi.yaml"));
        List<String> described = new ArrayList<>();
        prose.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(
                method -> described.add(method.toUpperCase() + " " + path.getKey())));
        List<String> resources = resourceOperations();
        // Guard against a vacuous check: both sides are read.
        assertThat(described).contains("POST /api/credit/charges", "POST /v1/chat/completions");
        assertThat(described).containsExactlyInAnyOrderElementsOf(resources);
    }

    /** The API's operations as the JAX-RS resources declare them ("POST /api/credit/charges"). */
    static List<String> resourceOperations() {
        List<String> operations = new ArrayList<>();
        for (JavaClass type : new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.tollgate")) {
            if (!type.isAnnotatedWith(Path.class)) {
                continue;
            }
            Class<?> resource = type.reflect();
            for (Method method : resource.getDeclaredMethods()) {
                Path sub = method.getAnnotation(Path.class);
                // As the document writes it: one slash between parts, a parameter without its regular expression.
                String path = (resource.getAnnotation(Path.class).value() + (sub == null ? "" : "/" + sub.value()))
                        .replaceAll("/+", "/").replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("(.)/$", "$1");
                for (Annotation annotation : method.getAnnotations()) {
                    HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
                    if (verb != null && (path.startsWith("/api/") || path.startsWith("/v1/"))) {
                        operations.add(verb.value() + " " + path);
                    }
                }
            }
        }
        return operations;
    }

    @Test
    void everyOperationDocumentsTheRateLimitOfItsTier() throws Exception {
        JsonNode document = document();
        for (Map.Entry<String, JsonNode> entry : operations(document)) {
            JsonNode tooMany = entry.getValue().path("responses").path("429");
            assertThat(tooMany.path("headers").has("Retry-After")).as(entry.getKey() + " 429 Retry-After").isTrue();
            assertThat(tooMany.path("description").asText()).as(entry.getKey() + " 429").contains(" tier ");
        }
        JsonNode paths = document.path("paths");
        assertThat(tierOf(paths, "/v1/chat/completions", "post")).isEqualTo("messages");
        assertThat(tierOf(paths, "/api/credit/reservations", "post")).isEqualTo("messages");
        assertThat(tierOf(paths, "/api/credit/charges", "post")).isEqualTo("messages");
        assertThat(tierOf(paths, "/api/admin/credit/adjustments", "post")).isEqualTo("sensitive");
        assertThat(tierOf(paths, "/api/credit/reservations/{id}/settle", "post")).isEqualTo("general");
        assertThat(tierOf(paths, "/api/credit/reservations/{id}/release", "post")).isEqualTo("general");
        assertThat(tierOf(paths, "/api/credit/balance", "get")).isEqualTo("general");
    }

    /**
     * Operations that take an Idempotency-Key and answer without Idempotent-Replayed: a chat key is
     * used once (a repeat is 409).
     */
    static final Set<String> NOT_REPLAYED = Set.of("POST /v1/chat/completions");

    @Test
    void anIdempotentOperationDocumentsTheReplayAndTheKeysProblems() throws Exception {
        List<String> keyed = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : operations(document())) {
            String name = entry.getKey();
            JsonNode key = null;
            for (JsonNode parameter : entry.getValue().path("parameters")) {
                if (parameter.path("in").asText().equals("header") && parameter.path("name").asText().equals("Idempotency-Key")) {
                    key = parameter;
                }
            }
            if (key == null) {
                continue;
            }
            keyed.add(name);
            JsonNode responses = entry.getValue().path("responses");
            assertThat(problemExamples(responses, "409")).as(name + " 409").contains("idempotency-key-reused");
            assertThat(problemExamples(responses, "400")).as(name + " 400")
                    .contains("idempotency-key-invalid", "idempotency-key-reserved");
            if (key.path("required").asBoolean()) {
                assertThat(problemExamples(responses, "400")).as(name + " 400").contains("idempotency-key-missing");
            }
            responses.fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("2")) {
                    JsonNode replayed = response.getValue().path("headers").path("Idempotent-Replayed");
                    String what = name + " " + response.getKey() + " Idempotent-Replayed";
                    if (NOT_REPLAYED.contains(name)) {
                        assertThat(replayed.isMissingNode()).as(what + " (not sent)").isTrue();
                    } else {
                        assertThat(replayed.path("schema").path("type").asText()).as(what).isEqualTo("boolean");
                        assertThat(replayed.path("description").asText()).as(what).isNotBlank();
                    }
                }
            });
        }
        // Guard against a vacuous check: the idempotent operations, their exceptions included, are found.
        assertThat(keyed).contains("POST /api/credit/charges", "POST /api/credit/reservations",
                "POST /api/credit/purchases", "POST /api/teams",
                "POST /api/admin/credit/adjustments", "POST /api/admin/credit/grants", "POST /api/admin/webhooks",
                "PATCH /api/admin/webhooks/{id}", "DELETE /api/admin/webhooks/{id}",
                "POST /api/admin/webhooks/deliveries/{deliveryId}/replay").containsAll(NOT_REPLAYED);
    }

    /** The names of the problem examples of an answer. */
    static List<String> problemExamples(JsonNode responses, String code) {
        List<String> names = new ArrayList<>();
        responses.path(code).path("content").path("application/problem+json").path("examples").fieldNames()
                .forEachRemaining(names::add);
        return names;
    }

    @Test
    void theExtensionsForTheFilterAreNotPublished() throws Exception {
        List<String> found = new ArrayList<>();
        collectFields(document(), "", Set.of(ApiDocs.PROBLEM_TYPES, ApiDocs.NOT_REPLAYED), found);
        assertThat(found).isEmpty();
    }

    /** The paths (JSON pointers) of the fields of these names anywhere under the node. */
    static void collectFields(JsonNode node, String at, Set<String> names, List<String> found) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                String path = at + "/" + field.getKey();
                if (names.contains(field.getKey())) {
                    found.add(path);
                }
                collectFields(field.getValue(), path, names, found);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectFields(node.get(i), at + "/" + i, names, found);
            }
        }
    }

    /** The tier the 429 example of an operation names. */
    static String tierOf(JsonNode paths, String path, String method) throws Exception {
        JsonNode example = paths.path(path).path(method).path("responses").path("429").path("content")
                .path("application/problem+json").path("examples").path("rate-limited").path("value");
        JsonNode body = example.isTextual() ? JSON.readTree(example.asText()) : example;
        return body.path("tier").asText();
    }

    /**
     * A success example names the fields of its schema, no more and no fewer, at every level where
     * the schema is a documented object (a record the operation answers); a field the type sends only
     * when it is set may be left out.
     */
    @Test
    void everySuccessExampleHasTheFieldsOfItsSchema() throws Exception {
        JsonNode document = document();
        JsonNode schemas = document.path("components").path("schemas");
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, JsonNode> operation : operations(document)) {
            var responses = operation.getValue().path("responses").fields();
            while (responses.hasNext()) {
                Map.Entry<String, JsonNode> response = responses.next();
                JsonNode json = response.getValue().path("content").path("application/json");
                JsonNode schema = json.path("schema");
                if (!response.getKey().startsWith("2") || !(schema.has("$ref") || schema.path("items").has("$ref"))) {
                    continue;
                }
                var examples = json.path("examples").fields();
                while (examples.hasNext()) {
                    Map.Entry<String, JsonNode> example = examples.next();
                    String where = operation.getKey() + " " + response.getKey() + " example " + example.getKey();
                    JsonNode value = example.getValue().path("value");
                    if (value.isTextual()) {
                        value = JSON.readTree(value.asText());
                    }
                    checked += compareFields(where, value, json.path("schema"), schemas, mismatches);
                }
            }
        }
        // Guard against a vacuous check: the objects compared, nested ones included.
        assertThat(checked).as("example objects compared with their schema").isGreaterThan(40);
        assertThat(mismatches).isEmpty();
    }

    /** Compares the example's objects with the schema's, noting each mismatch; answers how many objects it compared. */
    private static int compareFields(String where, JsonNode value, JsonNode schema, JsonNode schemas,
            List<String> mismatches) {
        String schemaName = "";
        if (schema.has("$ref")) {
            schemaName = schema.path("$ref").asText().substring("#/components/schemas/".length());
            schema = schemas.path(schemaName);
        }
        int compared = 0;
        if (value.isArray() && schema.has("items")) {
            for (JsonNode item : value) {
                compared += compareFields(where + "[]", item, schema.path("items"), schemas, mismatches);
            }
            return compared;
        }
        if (!value.isObject() || !schema.has("properties")) {
            return 0;
        }
        List<String> documented = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(documented::add);
        List<String> shown = new ArrayList<>();
        value.fieldNames().forEachRemaining(shown::add);
        List<String> unknown = new ArrayList<>(shown);
        unknown.removeAll(documented);
        List<String> missing = new ArrayList<>(documented);
        missing.removeAll(shown);
        if (!unknown.isEmpty()) {
            mismatches.add(where + " shows fields its schema lacks: " + unknown);
        }
        if (!missing.isEmpty() && !OPTIONAL_FIELDS_SCHEMAS.contains(schemaName)) {
            mismatches.add(where + " leaves out fields of " + schemaName + ": " + missing);
        }
        compared++;
        for (String field : shown) {
            compared += compareFields(where + "." + field, value.path(field), schema.path("properties").path(field),
                    schemas, mismatches);
        }
        return compared;
    }

    /** Types that send a field only when it is set (@JsonInclude NON_NULL). */
    static final Set<String> OPTIONAL_FIELDS_SCHEMAS = Set.of("WebhookEndpointView", "UsageReport");

    /** Two types of one simple name would be published as Name and Name1, which says nothing to a client. */
    @Test
    void everySchemaHasANameOfItsOwn() throws Exception {
        List<String> names = new ArrayList<>();
        document().path("components").path("schemas").fieldNames().forEachRemaining(names::add);
        // Guard against a vacuous check: the answers' schemas are there.
        assertThat(names).contains("ChargeResponse", "Problem");
        assertThat(names).noneMatch(name -> name.matches(".*\\d"));
    }

    @Test
    void theProblemSchemaIsDefined() throws Exception {
        JsonNode problem = document().path("components").path("schemas").path("Problem");
        assertThat(problem.path("properties").has("type")).isTrue();
        assertThat(problem.path("properties").has("status")).isTrue();
    }

    @Test
    void theMoneyAnswersDocumentTheirOwnProblems() throws Exception {
        JsonNode paths = document().path("paths");
        assertThat(paths.path("/api/credit/charges").path("post").path("responses").fieldNames())
                .toIterable().contains("201", "402", "409", "422");
        assertThat(paths.path("/api/credit/pre-check").path("post").path("responses").fieldNames())
                .toIterable().contains("200", "402");
        assertThat(paths.path("/v1/chat/completions").path("post").path("responses").path("200").path("content")
                .fieldNames()).toIterable().contains("application/json", "text/event-stream");
    }
}
