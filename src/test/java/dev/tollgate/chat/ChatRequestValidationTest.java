package dev.tollgate.chat;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a chat request may carry: malformed parts are 400, parts Tollgate cannot meter 422
 * {@code unsupported-content}, both before anything is held or sent; and what goes upstream is an
 * allow-list with Tollgate's own values where it matters.
 */
@QuarkusTest
class ChatRequestValidationTest {

    private static final String BAD_REQUEST = "https://tollgate.dev/problems/invalid-request";
    private static final String UNSUPPORTED = "https://tollgate.dev/problems/unsupported-content";

    private static Response post(String user, JsonObject body) {
        return as(user).contentType(ContentType.JSON).body(body.encode()).post("/v1/chat/completions");
    }

    private static JsonObject chat() {
        return FakeProvider.chatRequest("gpt-4o", "Hi [[fake:words=2]]").put("max_tokens", 10);
    }

    private static JsonObject withUserContent(Object content) {
        JsonObject body = chat();
        body.getJsonArray("messages").getJsonObject(1).put("content", content);
        return body;
    }

    private static JsonObject image(String url) {
        return new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url));
    }

    static Stream<Arguments> refused() {
        JsonArray tooManyImages = new JsonArray().add(new JsonObject().put("type", "text").put("text", "see"));
        for (int i = 0; i <= PromptParser.MAX_IMAGES; i++) {
            tooManyImages.add(image("https://img.example.com/" + i + ".png"));
        }
        return Stream.of(
                Arguments.of("both output budgets", chat().put("max_completion_tokens", 10), 400, BAD_REQUEST),
                Arguments.of("tools not a list", chat().put("tools", new JsonObject()), 400, BAD_REQUEST),
                Arguments.of("a tool without a function", chat().put("tools", new JsonArray().add(new JsonObject()
                        .put("type", "function"))), 400, BAD_REQUEST),
                Arguments.of("a tool whose name is not a name", chat().put("tools", new JsonArray().add(new JsonObject()
                        .put("type", "function").put("function", new JsonObject().put("name", "bad name!")))), 400, BAD_REQUEST),
                Arguments.of("a tool whose parameters are not a schema", chat().put("tools", new JsonArray().add(new JsonObject()
                        .put("type", "function").put("function", new JsonObject().put("name", "f").put("parameters", "x")))),
                        400, BAD_REQUEST),
                Arguments.of("a tool of another type", chat().put("tools", new JsonArray().add(new JsonObject()
                        .put("type", "web_search"))), 422, UNSUPPORTED),
                Arguments.of("tool_choice a number", chat().put("tool_choice", 3), 400, BAD_REQUEST),
                Arguments.of("response_format of an unknown type", chat().put("response_format", new JsonObject()
                        .put("type", "yaml")), 400, BAD_REQUEST),
                Arguments.of("an unknown content part", withUserContent(new JsonArray().add(new JsonObject()
                        .put("type", "hologram"))), 400, BAD_REQUEST),
                Arguments.of("a part without a type", withUserContent(new JsonArray().add(new JsonObject()
                        .put("text", "x"))), 400, BAD_REQUEST),
                Arguments.of("an image without a url", withUserContent(new JsonArray().add(new JsonObject()
                        .put("type", "image_url").put("image_url", new JsonObject()))), 400, BAD_REQUEST),
                Arguments.of("an image of an unknown detail", withUserContent(new JsonArray().add(new JsonObject()
                        .put("type", "image_url").put("image_url", new JsonObject().put("url", "https://x/y.png")
                                .put("detail", "ultra")))), 400, BAD_REQUEST),
                Arguments.of("too many images", withUserContent(tooManyImages), 400, BAD_REQUEST),
                Arguments.of("audio input", withUserContent(new JsonArray().add(new JsonObject().put("type", "input_audio")
                        .put("input_audio", new JsonObject().put("data", "AAAA").put("format", "wav")))), 422, UNSUPPORTED),
                Arguments.of("a file", withUserContent(new JsonArray().add(new JsonObject().put("type", "file")
                        .put("file", new JsonObject().put("file_id", "file-1")))), 422, UNSUPPORTED),
                Arguments.of("audio output", chat().put("audio", new JsonObject().put("voice", "alloy")), 422, UNSUPPORTED),
                Arguments.of("audio modality", chat().put("modalities", new JsonArray().add("text").add("audio")), 422, UNSUPPORTED),
                Arguments.of("a priced service tier", chat().put("service_tier", "priority"), 422, UNSUPPORTED),
                Arguments.of("web search", chat().put("web_search_options", new JsonObject()), 422, UNSUPPORTED),
                Arguments.of("predicted output", chat().put("prediction", new JsonObject().put("type", "content")
                        .put("content", "x")), 422, UNSUPPORTED),
                Arguments.of("an unknown role", withUserContent("x").put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "wizard").put("content", "x"))), 400, BAD_REQUEST),
                Arguments.of("tool calls not a list", chat().put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "assistant").put("tool_calls", "x"))), 400, BAD_REQUEST),
                Arguments.of("a reserved idempotency key", null, 400, "https://tollgate.dev/problems/idempotency-key-reserved"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isRefusedBeforeAnythingIsHeldOrSent(String what, JsonObject body, int status, String type) {
        String user = openAccount("chat-input");
        String before = LedgerProbe.snapshot(user);
        int sent = FakeProvider.instance().requests().size();
        Response response = body != null ? post(user, body)
                : as(user).contentType(ContentType.JSON).header("Idempotency-Key", "tollgate:settle:x").body(chat().encode())
                        .post("/v1/chat/completions");
        response.then().statusCode(status).contentType("application/problem+json").body("type", equalTo(type));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        assertThat(FakeProvider.instance().requests()).hasSize(sent);
    }

    @Test
    void storeIsAlwaysFalseUpstreamAndMetadataIsNotSent() {
        String user = openAccount("chat-input");
        post(user, chat().put("store", true).put("metadata", new JsonObject().put("character_id", "luna").put("topic", "x")))
                .then().statusCode(200);
        JsonObject sent = FakeProvider.instance().lastRequest();
        assertThat(sent.getBoolean("store")).isFalse();
        assertThat(sent.containsKey("metadata")).isFalse();
    }

    @Test
    void theEndUserIdIsAHashOfTheSubjectNeverTheClientsValue() {
        String user = openAccount("chat-input");
        post(user, chat().put("user", "someone-else").put("safety_identifier", "someone-else")).then().statusCode(200);
        JsonObject sent = FakeProvider.instance().lastRequest();
        assertThat(sent.getString("user")).matches("[0-9a-f]{64}").doesNotContain(user);
        assertThat(sent.getString("safety_identifier")).isEqualTo(sent.getString("user"));
        String other = openAccount("chat-input");
        post(other, chat()).then().statusCode(200);
        JsonObject otherSent = FakeProvider.instance().lastRequest();
        assertThat(otherSent.getString("user")).isNotEqualTo(sent.getString("user"));
        assertThat(otherSent.containsKey("safety_identifier")).isFalse();
        post(user, chat()).then().statusCode(200);
        assertThat(FakeProvider.instance().lastRequest().getString("user")).isEqualTo(sent.getString("user"));
    }

    @Test
    void theOneOutputBudgetGivenIsCappedAndSentAlone() {
        String user = openAccount("chat-input");
        JsonObject body = FakeProvider.chatRequest("gpt-4o", "Hi [[fake:words=2]]").put("max_completion_tokens", 20);
        post(user, body).then().statusCode(200).header("X-Tollgate-Max-Tokens", "20");
        JsonObject sent = FakeProvider.instance().lastRequest();
        assertThat(sent.getInteger("max_completion_tokens")).isEqualTo(20);
        assertThat(sent.containsKey("max_tokens")).isFalse();
    }

    @Test
    void theDefaultServiceTierIsAccepted() {
        String user = openAccount("chat-input");
        post(user, chat().put("service_tier", "auto")).then().statusCode(200);
        assertThat(FakeProvider.instance().lastRequest().getString("service_tier")).isEqualTo("auto");
    }
}
