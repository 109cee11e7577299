package dev.tollgate.chat;

import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;
import dev.tollgate.testing.ConcurrentCalls;
import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The reconciliation of what Tollgate charged with what the provider billed. The fake upstream
 * counts each prompt itself, the way OpenAI bills it ({@code [[fake:prompt-tokens=counted]]}),
 * and records the usage it bills per call, also when it reports none or the client hangs up. For
 * every call: the usage row's cost is at least the billed usage at our prices, and what was not
 * charged of it is a recorded shortfall; no hold is left held; the ledger adds up.
 *
 * <p>Request shapes are generated from a seed ({@code -Dtollgate.reconciliation.seed=},
 * {@code -Dtollgate.reconciliation.tries=}), printed when a check fails.
 */
@QuarkusTest
class ReconciliationTest {

    private static final long SEED = Long.getLong("tollgate.reconciliation.seed", System.nanoTime());
    private static final int TRIES = Integer.getInteger("tollgate.reconciliation.tries", 40);
    /** The seeded prices (V2) of the models the fake bills like OpenAI. */
    private static final Map<String, Price> PRICES = Map.of(
            "gpt-4o", new Price(0L, "gpt-4o", new BigDecimal("250"), new BigDecimal("125"), new BigDecimal("250"),
                    new BigDecimal("1000"), new BigDecimal("1000")),
            "o4-mini", new Price(0L, "o4-mini", new BigDecimal("110"), new BigDecimal("27.5"), new BigDecimal("110"),
                    new BigDecimal("440"), new BigDecimal("440")));

    /** One generated call: its body, whether the client reads it to the end, and its tag (also its Idempotency-Key). */
    private record Call(String tag, JsonObject body, boolean stream, int hangUpAfterBytes) {
    }

    @Test
    void everyBilledTokenIsChargedOrItsShortfallRecordedOverGeneratedCalls() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < TRIES; i++) {
            String user = openAccount("reconcile");
            Call call = generate(random);
            String context = "seed " + SEED + ", try " + i + ": " + describe(call);
            send(user, call);
            assertReconciled(user, List.of(call.tag()), context);
        }
    }

    @Test
    void manyConcurrentCallsWithHugePromptsOnASmallBalanceLeaveNoShortfall() throws Exception {
        // The attack the whole prompt's count closes: each call asks for little output and carries a huge
        // prompt (tool definitions) that was never held. All at once, on an account that covers a few.
        String user = openAccount("reconcile-attack");
        List<String> tags = new ArrayList<>();
        for (int n = 0; n < 40; n++) {
            tags.add("attack-" + UUID.randomUUID());
        }
        JsonArray tools = new JsonArray();
        for (int t = 0; t < 12; t++) {
            tools.add(ChatBillingTest.bigTool("tool_" + t));
        }
        List<HttpResponse<String>> answers = ConcurrentCalls.post(tags.size(), "/v1/chat/completions", Tokens.user(user),
                tags::get, n -> FakeProvider.chatRequest("gpt-4o", "[[fake:prompt-tokens=counted]][[fake:tag=" + tags.get(n)
                        + "]][[fake:words=5]][[fake:chunk-delay-ms=200]]").put("max_tokens", 10).put("stream", true)
                        .put("tools", tools).encode());
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 402);
        assertThat(answers).extracting(HttpResponse::statusCode).as("the balance covers only some of them").contains(402);
        assertReconciled(user, tags, "the attack");
        assertThat(LedgerProbe.count("SELECT COALESCE(SUM(shortfall_millicredits), 0) FROM token_usage WHERE user_id = ?", user))
                .isZero();
    }

    private Call generate(Random random) {
        String tag = "rec-" + UUID.randomUUID();
        boolean reasoning = random.nextInt(4) == 0;
        String model = reasoning ? "o4-mini" : "gpt-4o";
        StringBuilder directives = new StringBuilder("[[fake:prompt-tokens=counted]][[fake:tag=").append(tag).append("]]");
        directives.append("[[fake:words=").append(random.nextInt(300)).append("]]");
        if (reasoning) {
            directives.append("[[fake:reasoning=").append(random.nextInt(400)).append("]]");
        }
        if (random.nextInt(3) == 0) {
            directives.append("[[fake:no-usage]]");
        }
        if (random.nextInt(4) == 0) {
            directives.append("[[fake:tool-call=save_").append(random.nextInt(10)).append("]]");
        }
        if (random.nextInt(3) == 0) {
            directives.append("[[fake:chunk-delay-ms=").append(1 + random.nextInt(10)).append("]]");
        }
        JsonObject body = FakeProvider.chatRequest(model, "Tell me more. " + "words ".repeat(random.nextInt(200)) + directives);
        JsonArray messages = body.getJsonArray("messages");
        if (random.nextBoolean()) {
            messages.add(1, new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                    .add(new JsonObject().put("id", "call_" + random.nextInt(1000)).put("type", "function")
                            .put("function", new JsonObject().put("name", "lookup")
                                    .put("arguments", new JsonObject().put("q", "x ".repeat(random.nextInt(500))).encode())))));
            messages.add(2, new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
                    .put("content", "result ".repeat(random.nextInt(500))));
        }
        if (random.nextBoolean()) {
            JsonArray tools = new JsonArray();
            for (int t = 0, count = 1 + random.nextInt(4); t < count; t++) {
                tools.add(ChatBillingTest.bigTool("tool_" + t));
            }
            body.put("tools", tools);
        }
        if (random.nextInt(3) == 0) {
            JsonArray parts = new JsonArray().add(new JsonObject().put("type", "text").put("text", "Look. " + directives));
            for (int n = 0, count = 1 + random.nextInt(3); n < count; n++) {
                String url = random.nextBoolean() ? png(16 + random.nextInt(1500), 16 + random.nextInt(1500))
                        : "https://img.example.com/" + random.nextInt(100) + ".png";
                JsonObject image = new JsonObject().put("url", url);
                if (random.nextBoolean()) {
                    image.put("detail", random.nextBoolean() ? "low" : "high");
                }
                parts.add(new JsonObject().put("type", "image_url").put("image_url", image));
            }
            messages.getJsonObject(messages.size() - 1).put("content", parts);
        }
        int budget = 50 + random.nextInt(1000);
        body.put(reasoning || random.nextBoolean() ? "max_completion_tokens" : "max_tokens", budget);
        boolean stream = random.nextBoolean();
        body.put("stream", stream);
        int hangUpAfterBytes = random.nextInt(3) == 0 ? 1 + random.nextInt(2_000) : -1;
        return new Call(tag, body, stream, hangUpAfterBytes);
    }

    private void send(String user, Call call) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + Tokens.user(user))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", call.tag())
                .POST(HttpRequest.BodyPublishers.ofString(call.body().encode()))
                .build();
        // A client of its own per call: a connection a client hung up on is never reused for the next call.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (call.hangUpAfterBytes() < 0) {
                body.readAllBytes();
            } else {
                body.readNBytes(call.hangUpAfterBytes()); // then the client goes away
            }
        }
        assertThat(response.statusCode()).as("%s answered %d", call.tag(), response.statusCode()).isIn(200, 402);
    }

    /** Every tagged call the provider billed is charged at least its billed usage, or the rest is a recorded shortfall. */
    private static void assertReconciled(String user, List<String> tags, String context) throws InterruptedException {
        awaitNoHoldLeft(user, context);
        for (String tag : tags) {
            long rows = LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND request_id = '" + tag + "'", user);
            // The fake records a bill when its answer has ended, which may be a moment after Tollgate read its last event.
            List<FakeProvider.Billed> billed = rows == 0 ? FakeProvider.instance().billed(tag)
                    : FakeProvider.instance().awaitBilled(tag, 1, Duration.ofSeconds(10));
            if (billed.isEmpty()) {
                assertThat(rows).as("%s: not sent upstream, not charged", context).isZero();
                continue;
            }
            assertThat(billed).as("%s: billed once", context).hasSize(1);
            FakeProvider.Billed bill = billed.get(0);
            Millicredits owed = Pricing.cost(PRICES.get(bill.model()), new Usage(bill.promptTokens() - bill.cachedTokens(),
                    bill.cachedTokens(), 0, bill.completionTokens() - bill.reasoningTokens(), bill.reasoningTokens()));
            if (owed.value() == 0) {
                continue;
            }
            assertThat(rows).as("%s: the billed call %s has its usage row", context, bill).isEqualTo(1);
            long cost = LedgerProbe.count("SELECT cost_millicredits FROM token_usage WHERE user_id = ? AND request_id = '" + tag + "'", user);
            long shortfall = LedgerProbe.count("SELECT shortfall_millicredits FROM token_usage WHERE user_id = ? AND request_id = '"
                    + tag + "'", user);
            long charged = -LedgerProbe.count("SELECT COALESCE(SUM(monthly_delta + purchased_delta), 0) FROM credit_audit_log "
                    + "WHERE user_id = ? AND operation = 'SETTLE' AND usage_id = (SELECT id FROM token_usage WHERE user_id = '"
                    + user + "' AND request_id = '" + tag + "')", user);
            assertThat(cost).as("%s: cost of %s", context, bill).isGreaterThanOrEqualTo(owed.value());
            assertThat(charged + shortfall).as("%s: charged plus shortfall is the cost", context).isEqualTo(cost);
        }
        assertThat(LedgerProbe.ledgerSums(user)).as(context).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.negativePoints(user)).as(context).isZero();
    }

    private static void awaitNoHoldLeft(String user, String context) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .as("%s: no hold left held", context).isZero();
    }

    private static String png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static String describe(Call call) {
        JsonObject shape = call.body().copy();
        shape.remove("tools");
        String text = shape.encode();
        return (call.stream() ? "stream" : "json") + (call.hangUpAfterBytes() >= 0 ? ", hangs up after "
                + call.hangUpAfterBytes() + " bytes" : "") + (call.body().containsKey("tools") ? ", "
                        + call.body().getJsonArray("tools").size() + " tools" : "") + ", "
                + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }
}
