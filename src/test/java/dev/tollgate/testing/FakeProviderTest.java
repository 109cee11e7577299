package dev.tollgate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.FakeProvider.Billed;
import dev.tollgate.testing.FakeProvider.EndUser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The fake upstream bills like a provider: what it reports, what it would have reported, what it
 * had generated when the client hung up. Plain JUnit against the real server, through the
 * JDK HttpClient.
 */
class FakeProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MODEL = "gpt-4o";

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

    private static JsonObject request(String tag, String content) {
        return FakeProvider.chatRequest(MODEL, content + " [[fake:tag=" + tag + "]]");
    }

    private static JsonObject streaming(JsonObject body, boolean includeUsage) {
        body.put("stream", true);
        return includeUsage ? body.put("stream_options", new JsonObject().put("include_usage", true)) : body;
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
