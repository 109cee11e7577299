package dev.tollgate.observability;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.preCheck;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.tollgate.admin.AccountView;
import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemMappers;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.pricing.PricesUnavailableException;
import dev.tollgate.provider.ProviderProblemMappers;
import dev.tollgate.provider.ProviderUnavailableException;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.JsonShape;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Teams;
import dev.tollgate.testing.Tokens;

/**
 * Every documented example has the shape of what Tollgate really answers: for each type of the
 * problem catalogue (which docs/problems.md and the OpenAPI document show), a request that
 * triggers it gets the same status, type, title, and the same members spelled the same way, with
 * the same kinds of values; and the {@code tollgate} object of the chat answer's OpenAPI example
 * is spelled as the real answer's.
 */
@QuarkusTest
public class DocumentedExamplesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHARGES = "/api/credit/charges";
    static final String CHAT = "/v1/chat/completions";

    /** Types no request is answered with: the compensation job records them as the failure of a refund. */
    static final Set<ProblemType> RECORDED_BY_JOBS = EnumSet.of(ProblemType.USAGE_NOT_FOUND,
            ProblemType.REFUND_EXCEEDS_CHARGE);
    /**
     * The test profile's limits are generous: RateLimitTest checks a real 429 against the example.
     * Purchases are off in this profile: purchase.PurchaseProblemExamplesTest checks their problems.
     */
    static final Set<ProblemType> CHECKED_ELSEWHERE = EnumSet.of(ProblemType.RATE_LIMITED, ProblemType.UNKNOWN_PACK,
            ProblemType.PURCHASE_NOT_FOUND, ProblemType.PURCHASE_NOT_REFUNDABLE, ProblemType.WEBHOOK_SIGNATURE_INVALID,
            ProblemType.PAYMENT_PROVIDER_UNAVAILABLE);

    /** An answer: its status, media type and body. */
    public record Answer(int status, String mediaType, String body) {

        public static Answer of(Response response) {
            return new Answer(response.statusCode(), response.contentType(), response.asString());
        }

        static Answer of(jakarta.ws.rs.core.Response response) {
            @SuppressWarnings("unchecked")
            Map<String, Object> members = (Map<String, Object>) response.getEntity();
            return new Answer(response.getStatus(), response.getMediaType().toString(), new JsonObject(members).encode());
        }
    }

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void theExampleOfEveryProblemTypeHasTheShapeOfARealAnswer(ProblemType type) throws Exception {
        assumeFalse(RECORDED_BY_JOBS.contains(type), type.slug() + " is no answer to a request");
        assumeFalse(CHECKED_ELSEWHERE.contains(type), type.slug() + " is checked by another test");
        assertHasTheShapeOfTheExample(type, answerTo(type));
    }

    /** The answer is of the type, and its members are those of the type's example. */
    public static void assertHasTheShapeOfTheExample(ProblemType type, Answer answer) throws Exception {
        JsonNode example = JSON.readTree(type.example());
        assertThat(answer.status()).as(type.slug() + " status").isEqualTo(type.status());
        assertThat(answer.mediaType()).as(type.slug() + " media type").startsWith(Problem.MEDIA_TYPE);
        JsonNode real = JSON.readTree(answer.body());
        assertThat(real.path("type").asText()).as(type.slug() + " answered " + answer.body()).isEqualTo(type.uri()).isEqualTo(example.path("type").asText());
        assertThat(real.path("title").asText()).isEqualTo(type.title()).isEqualTo(example.path("title").asText());
        assertThat(real.path("status").asInt()).isEqualTo(example.path("status").asInt());
        assertThat(JsonShape.of(real)).as(type.slug() + ": members of the real answer (left) and of the example")
                .isEqualTo(JsonShape.of(example));
    }

    @Test
    void theChatAnswersTollgateObjectIsDocumentedAsItIsSent() throws Exception {
        // Sent as the rest of an OpenAI answer is spelled (usage.prompt_tokens): in snake_case.
        JsonNode document = OpenApiTest.document();
        JsonNode value = document.path("paths").path(CHAT).path("post").path("responses").path("200").path("content")
                .path("application/json").path("examples").path("completion").path("value");
        JsonNode documented = value.isTextual() ? JSON.readTree(value.asText()) : value;
        String user = Api.openAccount("examples");
        JsonNode sent = JSON.readTree(as(user).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o", "Hello", 200, false))
                .post(CHAT).then().statusCode(200).extract().asString());

        assertThat(sent.has("tollgate")).as("the real answer has a tollgate object").isTrue();
        assertThat(JsonShape.of(documented.path("tollgate"))).isEqualTo(JsonShape.of(sent.path("tollgate")))
                .asString().contains("max_tokens_requested");
    }

    @Test
    void theAdminAccountViewExampleHasTheFieldsOfARealView() throws Exception {
        JsonNode documented = OpenApiTest.document().path("paths").path("/api/admin/accounts/{userId}").path("get")
                .path("responses").path("200").path("content").path("application/json").path("examples").path("example")
                .path("value");
        String user = Api.openAccount("examples-view");
        JsonNode sent = JSON.readTree(given().auth().oauth2(Tokens.admin("operator")).get("/api/admin/accounts/" + user)
                .then().statusCode(200).extract().asString());

        assertThat(fieldNames(documented)).isEqualTo(fieldNames(sent)).contains("liveHolds", "compensations");
        assertThat(fieldNames(documented.path("liveHolds").path(0)))
                .isEqualTo(componentNames(AccountView.LiveHold.class));
        assertThat(fieldNames(documented.path("compensations").path(0)))
                .isEqualTo(componentNames(AccountView.Compensation.class));
        assertThat(fieldNames(documented.path("purchases").path(0)))
                .isEqualTo(componentNames(AccountView.Purchase.class));
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> componentNames(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            names.add(component.getName());
        }
        return names;
    }

    @Test
    void everyProblemExampleOfTheOpenApiDocumentIsTheCataloguesExample() throws Exception {
        JsonNode document = OpenApiTest.document();
        int examples = 0;
        for (Map.Entry<String, JsonNode> operation : OpenApiTest.operations(document)) {
            Iterator<Map.Entry<String, JsonNode>> responses = operation.getValue().path("responses").fields();
            while (responses.hasNext()) {
                Map.Entry<String, JsonNode> response = responses.next();
                Iterator<Map.Entry<String, JsonNode>> named = response.getValue().path("content")
                        .path(Problem.MEDIA_TYPE).path("examples").fields();
                while (named.hasNext()) {
                    Map.Entry<String, JsonNode> example = named.next();
                    ProblemType type = ProblemType.ofSlug(example.getKey()).orElseThrow(
                            () -> new AssertionError(operation.getKey() + " shows an example of no catalogued type: "
                                    + example.getKey()));
                    JsonNode value = JSON.readTree(example.getValue().path("value").asText());
                    String what = operation.getKey() + " " + response.getKey() + " " + type.slug();
                    assertThat(response.getKey()).as(what).isEqualTo(Integer.toString(type.status()));
                    if (type == ProblemType.RATE_LIMITED) {
                        // Each operation shows the limits of its own tier; the members are the catalogue's.
                        assertThat(JsonShape.of(value)).as(what).isEqualTo(JsonShape.of(JSON.readTree(type.example())));
                    } else {
                        assertThat(value).as(what).isEqualTo(JSON.readTree(type.example()));
                    }
                    examples++;
                }
            }
        }
        assertThat(examples).as("problem examples in the document").isGreaterThan(50);
    }

    static Answer answerTo(ProblemType type) {
        String user = Api.openAccount("examples");
        return switch (type) {
            case INVALID_REQUEST -> Answer.of(Api.charge(user, key(), "{\"usage\":{\"uncachedInputTokens\":1,\"outputTokens\":1}}"));
            case MALFORMED_JSON -> Answer.of(Api.charge(user, key(), "{\"model\" \"gpt-4o\"}"));
            case IDEMPOTENCY_KEY_MISSING -> Answer.of(as(user).contentType(ContentType.JSON)
                    .body(Api.chargeBody("gpt-4o", 1, 1)).post(CHARGES));
            case IDEMPOTENCY_KEY_INVALID -> Answer.of(Api.charge(user, "k".repeat(256), Api.chargeBody("gpt-4o", 1, 1)));
            case IDEMPOTENCY_KEY_MISMATCH -> Answer.of(Api.charge(user, "key-a",
                    "{\"requestId\":\"key-b\",\"model\":\"gpt-4o\",\"usage\":{\"uncachedInputTokens\":1,\"outputTokens\":1}}"));
            case IDEMPOTENCY_KEY_RESERVED -> Answer.of(Api.charge(user, "tollgate:mine", Api.chargeBody("gpt-4o", 1, 1)));
            case PROVIDER_REJECTED_REQUEST -> Answer.of(chat(user, "[[fake:fail=400]]"));
            case UNAUTHENTICATED -> Answer.of(given().get("/api/credit/balance"));
            case INSUFFICIENT_CREDITS -> Answer.of(preCheck(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"maxOutputTokens\":1000000}"));
            case FORBIDDEN -> Answer.of(as(user).get("/api/admin/pricing"));
            case SELF_ADJUSTMENT_FORBIDDEN -> {
                String admin = "admin-" + UUID.randomUUID();
                yield Answer.of(asAdmin(admin).contentType(ContentType.JSON).header("Idempotency-Key", key())
                        .body(adjustment(admin, -1)).post("/api/admin/credit/adjustments"));
            }
            case RESERVATION_NOT_FOUND -> Answer.of(as(user).post("/api/credit/reservations/" + UUID.randomUUID() + "/release"));
            case ACCOUNT_NOT_FOUND -> Answer.of(asAdmin(newAdmin()).get("/api/admin/accounts/" + Api.newUser("nobody")));
            case UNKNOWN_JOB -> Answer.of(asAdmin(newAdmin()).post("/api/admin/jobs/defragment"));
            case NOT_FOUND -> Answer.of(as(user).get("/api/credit/nothing-here"));
            case METHOD_NOT_ALLOWED -> Answer.of(as(user).delete("/api/credit/balance"));
            case NOT_ACCEPTABLE -> Answer.of(as(user).accept("text/csv").get("/api/credit/balance"));
            case IDEMPOTENCY_KEY_REUSED -> {
                String key = key();
                Api.charge(user, key, Api.chargeBody("gpt-4o", 1, 1)).then().statusCode(201);
                yield Answer.of(Api.charge(user, key, Api.chargeBody("gpt-4o", 2, 2)));
            }
            case RESERVATION_ALREADY_RESOLVED -> {
                String id = as(user).contentType(ContentType.JSON).header("Idempotency-Key", key())
                        .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"maxOutputTokens\":100}")
                        .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
                as(user).post("/api/credit/reservations/" + id + "/release").then().statusCode(200);
                yield Answer.of(as(user).contentType(ContentType.JSON)
                        .body("{\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":10}}")
                        .post("/api/credit/reservations/" + id + "/settle"));
            }
            case ADJUSTMENT_WOULD_OVERDRAW -> Answer.of(asAdmin(newAdmin()).contentType(ContentType.JSON)
                    .header("Idempotency-Key", key()).body(adjustment(user, -1_000_000_000L))
                    .post("/api/admin/credit/adjustments"));
            case PRICE_ALREADY_SCHEDULED -> {
                String model = "examples-" + UUID.randomUUID();
                String price = "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":0,\"cacheWriteCreditsPerMillion\":1,"
                        + "\"outputCreditsPerMillion\":1,\"reason\":\"list price\",\"effectiveFrom\":\""
                        + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS) + "\"}";
                String admin = newAdmin();
                asAdmin(admin).contentType(ContentType.JSON).body(price).put("/api/admin/pricing/" + model)
                        .then().statusCode(201);
                yield Answer.of(asAdmin(admin).contentType(ContentType.JSON).body(price).put("/api/admin/pricing/" + model));
            }
            case BODY_TOO_LARGE -> Answer.of(as(user).contentType(ContentType.JSON).header("Idempotency-Key", key())
                    .body("\"" + "x".repeat(1_100_000) + "\"").post(CHARGES));
            case UNSUPPORTED_MEDIA_TYPE -> Answer.of(as(user).contentType(ContentType.TEXT).header("Idempotency-Key", key())
                    .body("charge me").post(CHARGES));
            case UNKNOWN_MODEL -> Answer.of(Api.charge(user, key(), Api.chargeBody("gpt-9-unpriced", 1, 1)));
            case MODEL_NOT_SERVED -> {
                String model = "examples-unserved-" + UUID.randomUUID();
                LedgerProbe.seedPrice(model);
                yield Answer.of(chatOf(user, FakeProvider.chatRequest(model, "Hello")));
            }
            case UNSUPPORTED_CONTENT -> {
                JsonObject body = FakeProvider.chatRequest("gpt-4o", "Hello");
                body.getJsonArray("messages").getJsonObject(1).put("content", new JsonArray().add(new JsonObject()
                        .put("type", "input_audio").put("input_audio", new JsonObject().put("data", "AAAA").put("format", "wav"))));
                yield Answer.of(chatOf(user, body));
            }
            // A bug, a lost database, prices that cannot be read, an open circuit: provoked from outside
            // they would break the application for the other tests; the answer is the mapper's for the failure.
            case INTERNAL_ERROR -> Answer.of(new ProblemMappers().unexpected(new IllegalStateException("a bug")));
            case DATABASE_UNAVAILABLE -> Answer.of(new ProblemMappers().unexpected(new DatabaseFailure("charge",
                    new PSQLException("Connection refused.", PSQLState.CONNECTION_UNABLE_TO_CONNECT))));
            case PRICES_UNAVAILABLE -> Answer.of(new PricesUnavailableException().problem().toResponse());
            case PROVIDER_UNAVAILABLE -> Answer.of(new ProviderProblemMappers()
                    .unavailable(ProviderUnavailableException.circuitOpen("primary", 10)));
            case PROVIDER_ERROR -> Answer.of(chat(user, "[[fake:fail=500]]"));
            case PROVIDER_BUSY -> Answer.of(chat(user, "[[fake:fail=429]]"));
            case PROVIDER_OUTCOME_UNKNOWN -> Answer.of(chat(user, "[[fake:stall]]"));
            case PROVIDER_TIMEOUT -> Answer.of(chat(user, "[[fake:stall-after=2]]"));
            case PURCHASES_NOT_CONFIGURED -> Answer.of(as(user).get("/api/credit/packs"));
            case WEBHOOK_ENDPOINT_NOT_FOUND -> Answer.of(asAdmin(newAdmin()).get("/api/admin/webhooks/" + UUID.randomUUID()));
            case WEBHOOK_DELIVERY_NOT_FOUND -> Answer.of(asAdmin(newAdmin()).header("Idempotency-Key", key())
                    .post("/api/admin/webhooks/deliveries/" + Long.MAX_VALUE + "/replay"));
            case WEBHOOK_URL_NOT_ALLOWED -> Answer.of(webhookEndpoint("{\"url\":\"ftp://chat.example.com/hooks\"}"));
            case UNKNOWN_EVENT_TYPE -> Answer.of(webhookEndpoint(
                    "{\"url\":\"https://chat.example.com/hooks\",\"eventTypes\":[\"balance.exploded\"]}"));
            case WEBHOOK_SECRET_INVALID -> Answer.of(webhookEndpoint(
                    "{\"url\":\"https://chat.example.com/hooks\",\"secret\":\"whsec_c2hvcnQ=\"}"));
            case MEMBER_CAP_REACHED -> {
                String member = Api.newUser("examples-member");
                String team = Teams.withMember(user, member, 0L);
                yield Answer.of(Teams.charge(member, team, key(), Api.chargeBody("gpt-4o", 10, 10)));
            }
            case NOT_A_TEAM_MEMBER -> Answer.of(Teams.charge(user, UUID.randomUUID().toString(), key(),
                    Api.chargeBody("gpt-4o", 1, 1)));
            case TEAM_ROLE_REQUIRED -> {
                String member = Api.newUser("examples-member");
                String team = Teams.withMember(user, member, null);
                yield Answer.of(Teams.putMember(member, team, user, "{\"capMillicredits\":1000}"));
            }
            case TEAM_NOT_FOUND -> Answer.of(asAdmin(newAdmin()).get("/api/teams/" + UUID.randomUUID()));
            case TEAM_CHANGE_REFUSED -> {
                String team = Teams.create(user, "{\"name\":\"examples\"}");
                yield Answer.of(as(user).delete("/api/teams/" + team + "/members/" + user));
            }
            case USAGE_NOT_FOUND, REFUND_EXCEEDS_CHARGE, RATE_LIMITED, UNKNOWN_PACK, PURCHASE_NOT_FOUND,
                    PURCHASE_NOT_REFUNDABLE, WEBHOOK_SIGNATURE_INVALID, PAYMENT_PROVIDER_UNAVAILABLE ->
                throw new AssertionError(type + " is not answered here");
        };
    }

    static Response webhookEndpoint(String body) {
        return asAdmin(newAdmin()).contentType(ContentType.JSON).header("Idempotency-Key", key()).body(body)
                .post("/api/admin/webhooks");
    }

    static String key() {
        return "examples-" + UUID.randomUUID();
    }

    static String newAdmin() {
        return "admin-" + UUID.randomUUID();
    }

    static RequestSpecification asAdmin(String admin) {
        return given().auth().oauth2(Tokens.admin(admin));
    }

    static String adjustment(String userId, long amountMillicredits) {
        return "{\"userId\":\"" + userId + "\",\"bucket\":\"monthly\",\"amountMillicredits\":" + amountMillicredits
                + ",\"reason\":\"goodwill\"}";
    }

    static Response chat(String user, String content) {
        return chatOf(user, FakeProvider.chatRequest("gpt-4o", content));
    }

    static Response chatOf(String user, JsonObject body) {
        return as(user).contentType(ContentType.JSON).body(body.encode()).post(CHAT);
    }
}
