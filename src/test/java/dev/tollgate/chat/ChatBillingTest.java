package dev.tollgate.chat;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Every token the provider bills is billed: what a prompt carries beside its text, output the user
 * never sees, a client that stops reading, a call that runs too long.
 */
@QuarkusTest
class ChatBillingTest {

    private static Response post(String user, JsonObject body) {
        return as(user).contentType(ContentType.JSON).body(body.encode()).post("/v1/chat/completions");
    }

    private static JsonObject chat(String model, String content, int maxTokens) {
        return FakeProvider.chatRequest(model, content).put("max_tokens", maxTokens);
    }

    /** What the call's hold set aside. */
    private static long held(String user) {
        return LedgerProbe.count("SELECT MAX(reserved_delta) FROM credit_audit_log WHERE user_id = ? AND operation = 'HOLD'", user);
    }

    private static void awaitSettled(String user) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user) == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user))
                .as("the call was settled").isEqualTo(1);
    }

    /** A tool with a long description and a large parameter schema: about 2,000 tokens of JSON. */
    static JsonObject bigTool(String name) {
        JsonObject properties = new JsonObject();
        for (int i = 0; i < 60; i++) {
            properties.put("field_" + i, new JsonObject().put("type", "string")
                    .put("description", "The value of field number " + i + " of the character's sheet, as free text."));
        }
        return new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", name)
                .put("description", "Updates the character sheet of the conversation with every field it names.")
                .put("parameters", new JsonObject().put("type", "object").put("properties", properties)));
    }

    @Test
    void toolDefinitionsAndTheResponseSchemaAreHeld() {
        long extra = heldBeyondTheMessage("Hi [[fake:words=2]]", body -> body
                .put("tools", new JsonArray().add(bigTool("update_sheet")).add(bigTool("read_sheet")))
                .put("tool_choice", "auto")
                .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
                        new JsonObject().put("name", "sheet").put("schema", bigTool("x").getJsonObject("function")
                                .getJsonObject("parameters")))));
        // About 4,500 tokens more of gpt-4o input (250 credits per 1M) with the 20% buffer: > 1,000 millicredits.
        assertThat(extra).isGreaterThan(1_000);
    }

    @Test
    void toolCallsAndToolResultsOfTheConversationAreHeld() {
        String arguments = new JsonObject().put("notes", "a long note about the character ".repeat(300)).encode();
        long extra = heldBeyondTheMessage("Go on [[fake:words=2]]", body -> {
            JsonArray messages = body.getJsonArray("messages");
            messages.add(1, new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                    .add(new JsonObject().put("id", "call_1").put("type", "function").put("function",
                            new JsonObject().put("name", "save_notes").put("arguments", arguments)))));
            messages.add(2, new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
                    .put("content", "saved: " + "ok ".repeat(1_000)));
        });
        // 300 x 6 tokens of arguments and 1,000 of the tool's result, at least: > 600 millicredits.
        assertThat(extra).isGreaterThan(600);
    }

    @Test
    void imagesAreHeldByTheModelsRuleAndAnImageGivenByUrlAsTheLargestTheRuleAllows() {
        long extra = heldBeyondTheMessage("Look [[fake:words=2]]", body -> body.getJsonArray("messages").getJsonObject(1)
                .put("content", new JsonArray()
                        .add(new JsonObject().put("type", "text").put("text", "Look [[fake:words=2]]"))
                        .add(new JsonObject().put("type", "image_url").put("image_url",
                                new JsonObject().put("url", "https://img.example.com/a.png")))
                        .add(new JsonObject().put("type", "image_url").put("image_url",
                                new JsonObject().put("url", "https://img.example.com/b.png").put("detail", "low")))));
        // gpt-4o: an image of unknown size at high detail is 85 + 8 tiles x 170 = 1,445 tokens, at low 85:
        // 1,530 tokens of input at 250 credits per 1M, with the 20% buffer, 459 millicredits.
        assertThat(extra).isBetween(455L, 465L);
    }

    /**
     * How much more the hold of a gpt-4o call sets aside when the body carries more than the message:
     * one account makes the call with the message alone, another with what {@code addition} adds.
     */
    private static long heldBeyondTheMessage(String message, Consumer<JsonObject> addition) {
        String plain = openAccount("billing");
        post(plain, chat("gpt-4o", message, 10)).then().statusCode(200);
        String added = openAccount("billing");
        JsonObject body = chat("gpt-4o", message, 10);
        addition.accept(body);
        post(added, body).then().statusCode(200);
        return held(added) - held(plain);
    }

    @Test
    void anImageForAModelWithoutAnImageRuleIsRefusedBeforeAnythingIsHeld() {
        String model = TollgateTestResources.NARROW_TEST_MODEL;
        LedgerProbe.seedPrice(model);
        String user = openAccount("billing");
        String before = LedgerProbe.snapshot(user);
        JsonObject body = chat(model, "Look", 10);
        body.getJsonArray("messages").getJsonObject(1).put("content", new JsonArray()
                .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://x/y.png"))));
        post(user, body).then().statusCode(422).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("https://tollgate.dev/problems/unsupported-content"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void theOutputCapLeavesRoomForWhatThePromptCarriesBesideItsText() {
        // 800 millicredits left: a prompt of 2 big tools (about 3,000 tokens: 750 millicredits of gpt-4o
        // input, with the buffer 900) cannot be afforded at all, whatever the output budget.
        String user = openAccount("billing");
        charge(user, "drain", chargeBody("gpt-4o", 0, 99_200)).then().statusCode(201);
        int before = FakeProvider.instance().requests().size();
        post(user, chat("gpt-4o", "Hi", 100).put("tools", new JsonArray().add(bigTool("a")).add(bigTool("b"))))
                .then().statusCode(402).contentType("application/problem+json");
        assertThat(FakeProvider.instance().requests()).hasSize(before);
    }

    @Test
    void aReasoningModelWithoutUsageIsBilledItsWholeOutputBudget() {
        // o4-mini reasons unseen: without usage, what it showed says nothing of what it spent.
        String user = openAccount("billing");
        post(user, FakeProvider.chatRequest("o4-mini", "Think [[fake:no-usage]][[fake:words=5]]")).then().statusCode(200);
        // Without a budget from the client, a reasoning model gets the one it accepts.
        assertThat(FakeProvider.instance().lastRequest().getInteger("max_completion_tokens")).isEqualTo(1024);
        assertThat(FakeProvider.instance().lastRequest().containsKey("max_tokens")).isFalse();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND estimated "
                + "AND output_tokens + reasoning_tokens = 1024 AND output_tokens BETWEEN 1 AND 10", user)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aToolCallWithoutUsageIsBilledItsNameAndArguments() {
        String user = openAccount("billing");
        String tag = "tool-" + UUID.randomUUID();
        post(user, chat("gpt-4o", "Save [[fake:tool-call=save_note]][[fake:words=40]][[fake:no-usage]][[fake:tag=" + tag + "]]",
                1000)).then().statusCode(200).body("choices[0].finish_reason", org.hamcrest.Matchers.equalTo("tool_calls"));
        FakeProvider.Billed billed = FakeProvider.instance().awaitBilled(tag, 1, Duration.ofSeconds(5)).get(0);
        assertThat(billed.completionTokens()).isGreaterThan(40);
        assertThat(LedgerProbe.count("SELECT output_tokens FROM token_usage WHERE user_id = ? AND estimated", user))
                .isGreaterThanOrEqualTo(billed.completionTokens());
    }

    @Test
    void theFramingOfACutToolCallNeverTakesTheCountPastTheBudgetTheProviderWasGiven() {
        // The provider stops the call's arguments at the budget (14 tokens) and reports no usage: it bills 14.
        // Counting the arguments seen plus the framing of a tool call must not bill more than that.
        String user = openAccount("billing");
        post(user, chat("gpt-4o", "Save [[fake:tool-call=save_note]][[fake:words=40]][[fake:no-usage]]", 14))
                .then().statusCode(200).body("choices[0].finish_reason", org.hamcrest.Matchers.equalTo("length"));
        assertThat(LedgerProbe.count("SELECT output_tokens FROM token_usage WHERE user_id = ? AND estimated", user))
                .isEqualTo(14);
        assertThat(LedgerProbe.count("SELECT shortfall_millicredits FROM token_usage WHERE user_id = ?", user)).isZero();
    }

    @Test
    void aProviderThatIgnoresTheBudgetAndReportsNoUsageIsBilledAtLeastAChunkPerToken() {
        // The fault run's overrun: the provider was given 16 tokens, streamed 300 and reported no usage
        // (the call was cut before its usage chunk). It bills the 300; counting at most the budget
        // would charge 16 and leave the rest unbilled.
        String user = openAccount("billing");
        String tag = "overrun-" + UUID.randomUUID();
        post(user, chat("gpt-4o", "[[fake:words=300]][[fake:ignore-max-tokens]][[fake:no-usage]][[fake:tag=" + tag + "]]", 16)
                .put("stream", true)).then().statusCode(200);
        FakeProvider.Billed billed = FakeProvider.instance().awaitBilled(tag, 1, Duration.ofSeconds(5)).get(0);
        assertThat(billed.completionTokens()).isEqualTo(300);
        assertThat(FakeProvider.instance().lastRequest().getInteger("max_tokens")).isEqualTo(16);
        assertThat(LedgerProbe.count("SELECT output_tokens FROM token_usage WHERE user_id = ? AND estimated", user))
                .isGreaterThanOrEqualTo(300);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aCallPastItsMaximumDurationIsCutAndBilledItsWholeOutputBudget() throws Exception {
        // What the provider generated and we did not read before the cut is unknown: the call is
        // charged the budget it was given, the bound its hold covers.
        String model = TollgateTestResources.SHORT_CALL_TEST_MODEL;
        LedgerProbe.seedPrice(model);
        String user = openAccount("billing");
        String events = post(user, chat(model, "[[fake:words=2000]][[fake:chunk-delay-ms=5]]", 3000).put("stream", true))
                .then().statusCode(200).extract().asString();
        assertThat(events).contains("\"error\"").endsWith("data: [DONE]\n\n");
        awaitSettled(user);
        assertThat(LedgerProbe.count("SELECT output_tokens FROM token_usage WHERE user_id = ? AND estimated", user))
                .isEqualTo(3000);
        assertThat(LedgerProbe.count("SELECT shortfall_millicredits FROM token_usage WHERE user_id = ?", user)).isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aClientThatStopsReadingIsLetGoAndTheCallIsStillBilledTheProvidersUsage() throws Exception {
        // The client sends its request and never reads: the server's writes block once the buffers are
        // full. After the client write timeout (2 s in the tests) the client is let go; the call is read
        // on to the provider's usage and settled.
        String user = openAccount("billing");
        String body = chat("gpt-4o", "[[fake:words=5000]][[fake:chunk-delay-ms=1]]", 6000).put("stream", true).encode();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress("localhost", RestAssured.port));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Tokens.user(user)
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            awaitSettled(user);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND NOT estimated "
                + "AND output_tokens = 5000", user)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aStreamingAnswerCarriesTheCappedBudgetHeaders() {
        String user = openAccount("billing");
        post(user, chat("gpt-4o", "Hi [[fake:words=2]]", 10).put("stream", true)).then().statusCode(200)
                .header("X-Tollgate-Max-Tokens", "10").contentType(containsString("text/event-stream"));
        Api.as(user).get("/api/credit/balance").then().statusCode(200);
    }
}
