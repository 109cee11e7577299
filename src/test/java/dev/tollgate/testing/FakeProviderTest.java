package dev.tollgate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import dev.tollgate.testing.FakeProvider.Billed;
import dev.tollgate.testing.FakeProvider.EndUser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The fake upstream bills like a provider: what it reports, what it would have reported, what it
 * had generated when the client hung up, within the request's budget, for tool calls too; and it
 * counts a prompt the way OpenAI bills gpt-4o. Plain JUnit against the real server, through the
 * JDK HttpClient.
 */
class FakeProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MODEL = "gpt-4o";
    private static final String SYSTEM = "You are a test.";
    private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private static FakeProvider fake;
    private static HttpClient http;

    @BeforeAll
    static void startTheFake() {
        // Not stopped afterwards: one fake serves the whole JVM, and the shutdown hook stops it.
        fake = FakeProvider.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
    }

    @Test
    void withoutDirectivesTheAnswerAndItsBillAreTheDefaults() throws Exception {
        String tag = tag();
        JsonObject answer = complete(request(tag, "Hello"));

        JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("w1 w2 w3 w4 w5");
        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(answer.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(20);
        assertThat(answer.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(5);
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, 20, 0, 5, 0, true, false));
    }

    @Test
    void aStreamIsBilledWhatItsUsageChunkReports() throws Exception {
        String tag = tag();
        List<JsonObject> chunks = stream(streaming(request(tag, "[[fake:words=7]] [[fake:reasoning=3]] [[fake:cached=4]]"), true));

        JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
        assertThat(usage.getLong("prompt_tokens")).isEqualTo(20);
        assertThat(usage.getLong("completion_tokens")).isEqualTo(10);
        assertThat(text(chunks)).isEqualTo("w1 w2 w3 w4 w5 w6 w7");
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, 20, 4, 10, 3, true, false));
    }

    @Test
    void withoutUsageTheFakeStillBillsWhatItWouldHaveReported() throws Exception {
        String noUsage = tag();
        List<JsonObject> chunks = stream(streaming(request(noUsage, "[[fake:no-usage]] [[fake:words=6]]"), true));
        assertThat(chunks).isNotEmpty().allSatisfy(chunk -> assertThat(chunk.getValue("usage")).isNull());
        assertThat(fake.awaitBilled(noUsage, 1, WAIT)).containsExactly(new Billed(noUsage, MODEL, 20, 0, 6, 0, false, false));

        String notAsked = tag();
        assertThat(stream(streaming(request(notAsked, "[[fake:words=2]]"), false)))
                .allSatisfy(chunk -> assertThat(chunk.containsKey("usage")).isFalse());
        assertThat(fake.awaitBilled(notAsked, 1, WAIT)).containsExactly(new Billed(notAsked, MODEL, 20, 0, 2, 0, false, false));

        String plain = tag();
        assertThat(complete(request(plain, "[[fake:no-usage]] [[fake:words=3]]")).containsKey("usage")).isFalse();
        assertThat(fake.awaitBilled(plain, 1, WAIT)).containsExactly(new Billed(plain, MODEL, 20, 0, 3, 0, false, false));
    }

    @Test
    void aClientThatHangsUpMidStreamIsBilledForWhatWasWrittenUntilThen() throws Exception {
        String tag = tag();
        JsonObject body = streaming(request(tag, "[[fake:words=50]] [[fake:reasoning=2]] [[fake:chunk-delay-ms=40]]"), true);
        HttpResponse<InputStream> response = http.send(post(body).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        int seen = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
            for (String line = reader.readLine(); line != null && seen < 3; line = reader.readLine()) {
                seen += line.startsWith("data: ") ? 1 : 0;
            }
        }
        assertThat(seen).as("chunks read before hanging up").isEqualTo(3);

        List<Billed> bills = fake.awaitBilled(tag, 1, WAIT);
        assertThat(bills).singleElement().satisfies(bill -> {
            assertThat(bill.cutByClient()).isTrue();
            assertThat(bill.reported()).isFalse();
            assertThat(bill.promptTokens()).isEqualTo(20);
            assertThat(bill.reasoningTokens()).isEqualTo(2);
            assertThat(bill.completionTokens()).isBetween(2L + 3, 2L + 49);
        });
    }

    @Test
    void theBudgetIsHonouredReasoningFirstThenWords() throws Exception {
        String completionBudget = tag();
        JsonObject answer = complete(request(completionBudget, "[[fake:words=10]] [[fake:reasoning=4]]")
                .put("max_tokens", 100).put("max_completion_tokens", 9));
        JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("w1 w2 w3 w4 w5");
        assertThat(choice.getString("finish_reason")).isEqualTo("length");
        assertThat(answer.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(9);
        assertThat(fake.awaitBilled(completionBudget, 1, WAIT))
                .containsExactly(new Billed(completionBudget, MODEL, 20, 0, 9, 4, true, false));

        String maxTokens = tag();
        List<JsonObject> chunks = stream(streaming(request(maxTokens, "[[fake:words=10]]").put("max_tokens", 3), true));
        assertThat(text(chunks)).isEqualTo("w1 w2 w3");
        assertThat(finishReason(chunks)).isEqualTo("length");
        assertThat(fake.awaitBilled(maxTokens, 1, WAIT)).containsExactly(new Billed(maxTokens, MODEL, 20, 0, 3, 0, true, false));

        String allReasoning = tag();
        answer = complete(request(allReasoning, "[[fake:words=10]] [[fake:reasoning=5]]").put("max_tokens", 3));
        assertThat(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEmpty();
        assertThat(fake.awaitBilled(allReasoning, 1, WAIT)).containsExactly(new Billed(allReasoning, MODEL, 20, 0, 3, 3, true, false));

        String exact = tag();
        answer = complete(request(exact, "[[fake:words=3]]").put("max_tokens", 3));
        assertThat(answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    }

    @Test
    void ignoreMaxTokensGeneratesEverythingAsked() throws Exception {
        String tag = tag();
        JsonObject answer = complete(request(tag, "[[fake:words=10]] [[fake:ignore-max-tokens]]").put("max_tokens", 3));
        JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10");
        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, 20, 0, 10, 0, true, false));
    }

    @Test
    void aToolCallStreamsLikeOpenAiAndIsBilledForItsNameAndArguments() throws Exception {
        String tag = tag();
        List<JsonObject> chunks = stream(streaming(request(tag, "[[fake:tool-call=lookup_order]] [[fake:words=4]] [[fake:reasoning=1]]"), true));

        JsonObject first = delta(chunks.get(0));
        assertThat(first.getString("role")).isEqualTo("assistant");
        assertThat(first.getJsonArray("tool_calls")).containsExactly(new JsonObject().put("index", 0).put("id", "call_fake")
                .put("type", "function").put("function", new JsonObject().put("name", "lookup_order").put("arguments", "")));
        StringBuilder arguments = new StringBuilder();
        int pieces = 0;
        for (JsonObject chunk : chunks.subList(1, chunks.size())) {
            JsonObject delta = delta(chunk);
            if (delta != null && delta.getJsonArray("tool_calls") != null) {
                JsonObject call = delta.getJsonArray("tool_calls").getJsonObject(0);
                assertThat(call.getInteger("index")).isZero();
                arguments.append(call.getJsonObject("function").getString("arguments"));
                pieces++;
            }
        }
        assertThat(pieces).isGreaterThan(1);
        assertThat(new JsonObject(arguments.toString()).getString("w")).isEqualTo("w1 w2 w3 w4");
        assertThat(finishReason(chunks)).isEqualTo("tool_calls");

        long completion = tokens("lookup_order") + tokens("{\"w\":\"w1 w2 w3 w4\"}") + 1;
        assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getLong("completion_tokens")).isEqualTo(completion);
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, 20, 0, completion, 1, true, false));
    }

    @Test
    void aToolCallAnswersWithMessageToolCallsWhenNotStreamed() throws Exception {
        String tag = tag();
        JsonObject answer = complete(request(tag, "[[fake:tool-call=lookup_order]] [[fake:words=3]]"));

        JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
        JsonObject message = choice.getJsonObject("message");
        assertThat(message.containsKey("content")).isTrue();
        assertThat(message.getValue("content")).isNull();
        JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
        assertThat(call.getString("id")).isEqualTo("call_fake");
        assertThat(call.getString("type")).isEqualTo("function");
        assertThat(call.getJsonObject("function").getString("name")).isEqualTo("lookup_order");
        assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")).getString("w")).isEqualTo("w1 w2 w3");

        long completion = tokens("lookup_order") + tokens("{\"w\":\"w1 w2 w3\"}");
        assertThat(answer.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(completion);
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, 20, 0, completion, 0, true, false));

        assertThat(http.send(post(request(tag(), "[[fake:tool-call=no such name]]")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    }

    @Test
    void aCountedPromptIsThreePerMessageRoleContentAndNamePlusThreeForTheReply() throws Exception {
        String tag = tag();
        String user = "Hello there [[fake:prompt-tokens=counted]] [[fake:tag=" + tag + "]]";
        JsonObject body = new JsonObject().put("model", MODEL).put("messages", new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", SYSTEM))
                .add(new JsonObject().put("role", "user").put("name", "ann").put("content", user)));

        long expected = (3 + tokens("system") + tokens(SYSTEM)) + (3 + tokens("user") + tokens(user) + tokens("ann") + 1) + 3;
        assertThat(complete(body).getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(expected);
        assertThat(fake.awaitBilled(tag, 1, WAIT)).containsExactly(new Billed(tag, MODEL, expected, 0, 5, 0, true, false));
    }

    @Test
    void aCountedPromptMatchesWhatOpenAiBilledForTheCookbookExamples() throws Exception {
        // OpenAI's cookbook ("How to count tokens with tiktoken") reports what the API billed gpt-4o for these
        // requests: 124 and 101 prompt tokens. Our directives lengthen the last message by a known amount.
        String jargon = "This late pivot means we don't have time to boil the ocean for the client deliverable.";
        String tag = tag();
        String directives = " [[fake:prompt-tokens=counted]] [[fake:tag=" + tag + "]]";
        JsonObject body = new JsonObject().put("model", MODEL).put("messages", new JsonArray()
                .add(message("system", null, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."))
                .add(message("system", "example_user", "New synergies will help drive top-line growth."))
                .add(message("system", "example_assistant", "Things working well together will increase revenue."))
                .add(message("system", "example_user", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."))
                .add(message("system", "example_assistant", "Let's talk later when we're less busy about how to do better."))
                .add(message("user", null, jargon + directives)));
        assertThat(prompt(body)).isEqualTo(124 + tokens(jargon + directives) - tokens(jargon));

        String weather = "What's the weather like in San Francisco?";
        body = new JsonObject().put("model", MODEL).put("tools", new JsonArray().add(weatherTool())).put("messages", new JsonArray()
                .add(message("system", null, "You are a helpful assistant that can answer to questions about the weather."))
                .add(message("user", null, weather + directives)));
        assertThat(prompt(body)).isEqualTo(101 + tokens(weather + directives) - tokens(weather));
    }

    @Test
    void toolsImagesAndASchemaRaiseTheCountedPrompt() throws Exception {
        String user = "Hello [[fake:prompt-tokens=counted]]";
        JsonObject plain = withSystem(user);
        long base = prompt(plain);
        assertThat(base).isEqualTo((3 + tokens("system") + tokens(SYSTEM)) + (3 + tokens("user") + tokens(user)) + 3);

        String rendered = """
                namespace functions {

                // Get the current weather in a given location
                type get_current_weather = (_: {
                // The city and state, e.g. San Francisco, CA
                location: string,
                // The unit of temperature to return
                unit?: "celsius" | "fahrenheit",
                }) => any;

                } // namespace functions""";
        long withTools = prompt(plain.copy().put("tools", new JsonArray().add(weatherTool())));
        assertThat(withTools).isEqualTo(base - tokens(SYSTEM) + tokens(SYSTEM + "\n") + tokens(rendered) + 9 - 4)
                .isGreaterThan(base);
        assertThat(prompt(plain.copy().put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "none")))
                .isEqualTo(withTools + 1);

        JsonObject schema = new JsonObject().put("name", "answer").put("strict", true).put("schema", new JsonObject()
                .put("type", "object").put("properties", new JsonObject().put("w", new JsonObject().put("type", "string"))));
        assertThat(prompt(plain.copy().put("response_format", new JsonObject().put("type", "json_schema").put("json_schema", schema))))
                .isEqualTo(base + tokens(schema.encode()));

        // gpt-4o: 85 + 170 per 512-px tile, after fitting in 2048×2048 and scaling the short side down to 768.
        assertThat(prompt(withImage(user, dataUrl(1024, 1024, "png"), "auto"))).isEqualTo(base + 765);
        assertThat(prompt(withImage(user, dataUrl(2048, 4096, "png"), "high"))).isEqualTo(base + 1105);
        assertThat(prompt(withImage(user, dataUrl(600, 400, "jpeg"), null))).isEqualTo(base + 85 + 2 * 170);
        assertThat(prompt(withImage(user, dataUrl(300, 200, "gif"), null))).isEqualTo(base + 85 + 170);
        assertThat(prompt(withImage(user, dataUrl(1024, 1024, "png"), "low"))).isEqualTo(base + 85);
        assertThat(prompt(withImage(user, "https://example.com/cat.png", null))).as("unfetchable: 768×2048, 8 tiles")
                .isEqualTo(base + 85 + 8 * 170);
    }

    @Test
    void errorsAndStallsBillNothing() throws Exception {
        String failed = tag();
        assertThat(http.send(post(request(failed, "[[fake:fail=500]]")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(500);
        assertThat(fake.awaitBilled(failed, 1, WAIT)).containsExactly(new Billed(failed, MODEL, 0, 0, 0, 0, false, false));

        String stalled = tag();
        assertThatThrownBy(() -> http.send(post(request(stalled, "[[fake:stall]]")).timeout(Duration.ofMillis(300)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        assertThat(fake.awaitBilled(stalled, 1, WAIT)).containsExactly(new Billed(stalled, MODEL, 0, 0, 0, 0, false, true));
    }

    @Test
    void theEndUserFieldsOfEachRequestAreRecorded() throws Exception {
        String tag = tag();
        complete(request(tag, "Hi").put("user", "u-42").put("safety_identifier", "sid-42"));
        String bare = tag();
        complete(request(bare, "Hi"));

        assertThat(fake.endUsers()).contains(new EndUser(tag, "u-42", "sid-42"), new EndUser(bare, null, null));
    }

    private static String tag() {
        return "t-" + UUID.randomUUID();
    }

    private static int tokens(String text) {
        return O200K.countTokensOrdinary(text);
    }

    private static JsonObject request(String tag, String content) {
        return FakeProvider.chatRequest(MODEL, content + " [[fake:tag=" + tag + "]]");
    }

    private static JsonObject streaming(JsonObject body, boolean includeUsage) {
        body.put("stream", true);
        return includeUsage ? body.put("stream_options", new JsonObject().put("include_usage", true)) : body;
    }

    private static JsonObject message(String role, String name, String content) {
        JsonObject message = new JsonObject().put("role", role);
        if (name != null) {
            message.put("name", name);
        }
        return message.put("content", content);
    }

    private static JsonObject withSystem(String user) {
        return new JsonObject().put("model", MODEL).put("messages", new JsonArray()
                .add(message("system", null, SYSTEM)).add(message("user", null, user)));
    }

    private static JsonObject withImage(String user, String url, String detail) {
        JsonObject image = new JsonObject().put("url", url);
        if (detail != null) {
            image.put("detail", detail);
        }
        return new JsonObject().put("model", MODEL).put("messages", new JsonArray()
                .add(message("system", null, SYSTEM))
                .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                        .add(new JsonObject().put("type", "text").put("text", user))
                        .add(new JsonObject().put("type", "image_url").put("image_url", image)))));
    }

    private static JsonObject weatherTool() {
        return new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "get_current_weather")
                .put("description", "Get the current weather in a given location")
                .put("parameters", new JsonObject().put("type", "object")
                        .put("properties", new JsonObject()
                                .put("location", new JsonObject().put("type", "string")
                                        .put("description", "The city and state, e.g. San Francisco, CA"))
                                .put("unit", new JsonObject().put("type", "string")
                                        .put("description", "The unit of temperature to return")
                                        .put("enum", new JsonArray().add("celsius").add("fahrenheit"))))
                        .put("required", new JsonArray().add("location"))));
    }

    private static String dataUrl(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, bytes)).as("a %s writer", format).isTrue();
        return "data:image/" + format + ";base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static long prompt(JsonObject body) throws Exception {
        return complete(body).getJsonObject("usage").getLong("prompt_tokens");
    }

    private static HttpRequest.Builder post(JsonObject body) {
        return HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/chat/completions")).timeout(WAIT)
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + FakeProvider.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    }

    private static JsonObject complete(JsonObject body) throws Exception {
        HttpResponse<String> response = http.send(post(body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    /** The data events of a whole stream, [DONE] excepted (and asserted last). */
    private static List<JsonObject> stream(JsonObject body) throws Exception {
        HttpResponse<String> response = http.send(post(body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> data = response.body().lines().filter(line -> line.startsWith("data: "))
                .map(line -> line.substring("data: ".length())).toList();
        assertThat(data).last().isEqualTo("[DONE]");
        List<JsonObject> chunks = new ArrayList<>();
        data.subList(0, data.size() - 1).forEach(event -> chunks.add(new JsonObject(event)));
        return chunks;
    }

    private static JsonObject delta(JsonObject chunk) {
        JsonArray choices = chunk.getJsonArray("choices");
        return choices.isEmpty() ? null : choices.getJsonObject(0).getJsonObject("delta");
    }

    private static String text(List<JsonObject> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.stream().map(FakeProviderTest::delta).filter(d -> d != null && d.getString("content") != null)
                .forEach(d -> text.append(d.getString("content")));
        return text.toString();
    }

    private static String finishReason(List<JsonObject> chunks) {
        return chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
                .map(c -> c.getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
                .filter(reason -> reason != null).findFirst().orElse(null);
    }
}
