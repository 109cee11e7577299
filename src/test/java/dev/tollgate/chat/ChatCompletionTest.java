package dev.tollgate.chat;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/** The metered chat call against the fake provider: what is charged, capped, released and deferred. */
@QuarkusTest
class ChatCompletionTest {

    static String chat(String model, String content, Integer maxTokens, boolean stream) {
        return Api.chatBody(model, content, maxTokens, stream);
    }

    static Response post(String user, String body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/v1/chat/completions");
    }

    static void assertLedgerAddsUp(String user) {
        LedgerProbe.assertBalanced(user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isZero();
    }

    @Test
    void aCompletionIsChargedExactlyTheReportedUsage() {
        String user = openAccount("chat");
        // gpt-4o: 20 prompt tokens at 250/M + 10 completion tokens at 1,000/M = 0.015 credits.
        post(user, chat("gpt-4o", "Hi [[fake:words=10]][[fake:prompt-tokens=20]]", 100, false))
                .then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.content", notNullValue())
                .body("usage.completion_tokens", equalTo(10))
                .body("tollgate.cost_millicredits", equalTo(15))
                .body("tollgate.capped", equalTo(false));

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertLedgerAddsUp(user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND cost_millicredits = 15 "
                + "AND estimated = false AND character_id = 'luna' AND conversation_id = 'conv-1' AND reservation_id IS NOT NULL",
                user)).isEqualTo(1);
        JsonObject upstream = FakeProvider.instance().lastRequest();
        assertThat(upstream.getInteger("max_tokens")).isEqualTo(100);
        assertThat(upstream.containsKey("metadata")).isFalse();
    }

    @Test
    void cachedAndReasoningTokensAreNotChargedTwice() {
        String user = openAccount("chat");
        // prompt 1,000 incl. 400 cached; completion 30 incl. 20 reasoning (billed as output):
        // 600*250 + 400*125 + 10*1000 + 20*1000 = 230,000 per 1M = 0.23 credits.
        post(user, chat("gpt-4o", "[[fake:prompt-tokens=1000]][[fake:cached=400]][[fake:words=10]][[fake:reasoning=20]]", 100, false))
                .then().statusCode(200).body("tollgate.cost_millicredits", equalTo(230));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND input_tokens = 600 "
                + "AND cached_input_tokens = 400 AND output_tokens = 10 AND reasoning_tokens = 20", user)).isEqualTo(1);
        assertLedgerAddsUp(user);
    }

    @Test
    void aStreamIsRelayedAsServerSentEventsAndChargedTheReportedUsage() {
        String user = openAccount("chat");
        String events = post(user, chat("gpt-4o", "[[fake:words=10]][[fake:prompt-tokens=20]]", 100, true))
                .then().statusCode(200).contentType(containsString("text/event-stream"))
                .extract().asString();
        assertThat(events).contains("\"object\":\"chat.completion.chunk\"").contains("\"usage\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(FakeProvider.instance().lastRequest().getJsonObject("stream_options").getBoolean("include_usage"))
                .isTrue();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertLedgerAddsUp(user);
    }

    @Test
    void theOutputBudgetIsCappedAtWhatTheUserCanAffordAndTheAnswerSaysSo() {
        String user = openAccount("chat");
        // Leave 130 millicredits: about 100 output tokens of gpt-4o (1,000 credits/M) with the 20% buffer.
        charge(user, "drain", chargeBody("gpt-4o", 0, 99_870)).then().statusCode(201);

        Response response = post(user, chat("gpt-4o", "Tell me everything [[fake:words=50]]", 1000, false));
        response.then().statusCode(200)
                .body("tollgate.capped", equalTo(true))
                .body("tollgate.max_tokens_requested", equalTo(1000))
                .header("X-Tollgate-Max-Tokens-Requested", "1000");
        int applied = response.path("tollgate.max_tokens");
        assertThat(applied).isBetween(1, 105);
        assertThat(response.header("X-Tollgate-Max-Tokens")).isEqualTo(String.valueOf(applied));
        assertThat(FakeProvider.instance().lastRequest().getInteger("max_tokens")).isEqualTo(applied);
        assertLedgerAddsUp(user);
    }

    @Test
    void aProviderThatAnswersMoreThanItWasAllowedNeverOverdrawsTheUserAndTheShortfallIsRecorded() {
        String user = openAccount("chat");
        charge(user, "drain", chargeBody("gpt-4o", 0, 99_870)).then().statusCode(201);
        double before = Metrics.value("tollgate_settle_shortfall_millicredits_total");
        // Capped at about 100 output tokens, the provider generates 5,000: 5,005 millicredits for 130 held.
        post(user, chat("gpt-4o", "[[fake:words=5000]][[fake:ignore-max-tokens]]", 1000, false)).then().statusCode(200)
                .body("tollgate.cost_millicredits", equalTo(5_005));
        assertThat(LedgerProbe.buckets(user)).containsExactly(0, 0, 0);
        assertLedgerAddsUp(user);
        long shortfall = 5_005 - 130;
        assertThat(LedgerProbe.count("SELECT SUM(shortfall_millicredits) FROM token_usage WHERE user_id = ?", user)).isEqualTo(shortfall);
        assertThat(LedgerProbe.count("SELECT (metadata ->> 'shortfallMillicredits')::bigint FROM credit_audit_log "
                + "WHERE user_id = ? AND operation = 'SETTLE'", user)).isEqualTo(shortfall);
        assertThat(Metrics.value("tollgate_settle_shortfall_millicredits_total") - before).isEqualTo(shortfall);
        io.restassured.RestAssured.given().auth().oauth2(Tokens.admin("ops-" + user)).get("/api/admin/accounts/" + user)
                .then().statusCode(200)
                .body("shortfallMillicredits", equalTo((int) shortfall))
                .body("shortfalls[0].shortfallMillicredits", equalTo((int) shortfall));
    }

    @Test
    void noCreditsIsA402BeforeTheProviderIsCalled() {
        String user = openAccount("chat");
        charge(user, "drain", chargeBody("gpt-4o", 0, 100_000)).then().statusCode(201);
        int before = FakeProvider.instance().requests().size();
        post(user, chat("gpt-4o", "hello", 100, false))
                .then().statusCode(402).contentType("application/problem+json")
                .body("availableMillicredits", equalTo(0));
        assertThat(FakeProvider.instance().requests()).hasSize(before);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ?", user)).isZero();
    }

    @Test
    void aProviderErrorReleasesTheHoldAndChargesNothing() {
        String user = openAccount("chat");
        post(user, chat("gpt-4o", "[[fake:fail=500]]", 100, false))
                .then().statusCode(502).contentType("application/problem+json");
        post(user, chat("gpt-4o", "[[fake:fail=500]]", 100, true))
                .then().statusCode(502).contentType("application/problem+json");
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'RELEASED'", user))
                .isEqualTo(2);
        assertLedgerAddsUp(user);
    }

    @Test
    void aProviderThatTookTheCallAndNeverAnsweredIsA504AndTheHoldIsCharged() {
        // The call was sent: the provider may be running it and will bill it if so. Releasing the hold
        // would make such calls free; the hold (the estimate, an upper bound) is charged instead.
        String user = openAccount("chat");
        post(user, chat("gpt-4o", "[[fake:stall]]", 100, false))
                .then().statusCode(504).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/provider-outcome-unknown"))
                .body("chargedMillicredits", greaterThan(0));
        long held = LedgerProbe.count("SELECT reserved_delta FROM credit_audit_log WHERE user_id = ? AND operation = 'HOLD'", user);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - held, 0, 0);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND estimated AND output_tokens = 100 "
                + "AND cost_millicredits = " + held, user)).isEqualTo(1);
        assertLedgerAddsUp(user);
    }

    @Test
    void aProviderThatCannotBeReachedIsA502AndChargesNothing() {
        String model = TollgateTestResources.DOWN_TEST_MODEL;
        LedgerProbe.seedPrice(model);
        String user = openAccount("chat");
        post(user, chat(model, "hello", 100, false))
                .then().statusCode(502).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/provider-error"));
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertLedgerAddsUp(user);
    }

    @Test
    void anAnswerWithoutUsageIsCountedAndMarkedEstimated() {
        String user = openAccount("chat");
        post(user, chat("gpt-4o", "[[fake:no-usage]][[fake:words=8]]", 100, false))
                .then().statusCode(200).body("tollgate.usage_estimated", equalTo(true));
        post(user, chat("gpt-4o", "[[fake:no-usage]][[fake:words=8]]", 100, true)).then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND estimated AND output_tokens > 0 "
                + "AND input_tokens > 0 AND cost_millicredits > 0", user)).isEqualTo(2);
        assertLedgerAddsUp(user);
    }

    @Test
    void aStreamCutByTheProviderWithoutUsageIsSettledOnItsWholeOutputBudget() {
        // The provider may have generated more than the three events it sent: its bill is unknown, and
        // the call is charged the budget it was given (100), the bound its hold covers.
        String user = openAccount("chat");
        String events = post(user, chat("gpt-4o", "[[fake:words=20]][[fake:drop-after=3]]", 100, true))
                .then().statusCode(200).extract().asString();
        assertThat(events).contains("\"error\"").endsWith("data: [DONE]\n\n");
        assertThat(LedgerProbe.count("SELECT output_tokens FROM token_usage WHERE user_id = ? AND estimated", user))
                .isEqualTo(100);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user))
                .isEqualTo(1);
        assertLedgerAddsUp(user);
    }

    @Test
    void aClientThatGoesAwayMidStreamPaysTheProvidersUsageOfTheWholeCall() throws Exception {
        String user = openAccount("chat");
        FakeProvider.instance().reset();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + Tokens.user(user))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("gpt-4o", "[[fake:words=200]][[fake:chunk-delay-ms=10]]", 500, true)))
                .build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream body = response.body()) {
            byte[] first = new byte[64];
            assertThat(body.read(first)).isPositive();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user))
                .isEqualTo(1);
        // The stream was read on after the client left, to the provider's usage chunk: what it bills.
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND NOT estimated "
                + "AND output_tokens = 200 AND input_tokens = 20", user)).isEqualTo(1);
        assertThat(FakeProvider.instance().streamsClosedByClient()).isZero();
        assertLedgerAddsUp(user);
    }

    @Test
    void aSettleThatFailsAfterTheAnswerBecomesACompensation() {
        String user = openAccount("chat");
        String key = LedgerProbe.FAILING_REQUEST_PREFIX + UUID.randomUUID();
        LedgerProbe.injectUsageFailure();
        try {
            as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                    .body(chat("gpt-4o", "[[fake:words=10]][[fake:prompt-tokens=20]]", 100, false))
                    .post("/v1/chat/completions")
                    .then().statusCode(200).body("choices[0].message.content", notNullValue());
        } finally {
            LedgerProbe.removeUsageFailure();
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'PENDING' "
                + "AND kind = 'CHARGE' AND amount_millicredits = 15 AND reservation_id IS NOT NULL "
                + "AND details ->> 'model' = 'gpt-4o'", user)).isEqualTo(1);
        // The hold stays until the compensation batch settles it: nothing is lost, nothing charged twice.
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aSettleWaitsForTheDatabaseRatherThanLeaveTheCallUncharged() throws Exception {
        // The fault run's case: the settle fails while the database is unreachable, so does the
        // compensation that would stand in for it. Given up, the hold would be freed by the expiry
        // job and the call never charged. Here the compensation's insert fails as a database that is
        // starting up does (57P03) for about two seconds.
        String user = openAccount("chat");
        String key = LedgerProbe.FAILING_REQUEST_PREFIX + UUID.randomUUID();
        LedgerProbe.injectUsageFailure();
        LedgerProbe.refuseCompensationsAsStartingUp();
        try {
            java.util.concurrent.CompletableFuture<Response> answer = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                            .body(chat("gpt-4o", "[[fake:words=10]][[fake:prompt-tokens=20]]", 100, false))
                            .post("/v1/chat/completions"));
            Thread.sleep(2_000);
            LedgerProbe.acceptCompensations();
            answer.get(60, java.util.concurrent.TimeUnit.SECONDS).then().statusCode(200)
                    .body("choices[0].message.content", notNullValue());
        } finally {
            LedgerProbe.acceptCompensations();
            LedgerProbe.removeUsageFailure();
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'PENDING' "
                + "AND kind = 'CHARGE' AND amount_millicredits = 15", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);
    }

    @Test
    void badInputIsA400AndHoldsNothing() {
        String user = openAccount("chat");
        String before = LedgerProbe.snapshot(user);
        post(user, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").then().statusCode(400);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[]}").then().statusCode(400);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":-1}").then().statusCode(400);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"5\"}").then().statusCode(400);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":42}]}").then().statusCode(400);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":\"hi\"}").then().statusCode(400);
        post(user, "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").then().statusCode(422);
        post(user, "{\"model\":\"gpt-4o\",").then().statusCode(400);
        // One answer per call: the hold and the output cap are sized for one.
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}").then().statusCode(400)
                .contentType("application/problem+json");
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":\"1\"}").then().statusCode(400);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        post(user, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"[[fake:words=2]]\"}],\"n\":1,\"max_tokens\":10}")
                .then().statusCode(200);
    }

    @Test
    void fieldsOutsideTheAllowListAreNotSentUpstreamAndTheAnswerNamesThem() {
        String user = openAccount("chat");
        JsonObject body = new JsonObject(chat("gpt-4o", "[[fake:words=2]]", 10, false)).put("temperature", 0.2)
                .put("some_future_field", new JsonObject().put("x", 1));
        post(user, body.encode()).then().statusCode(200).header("X-Tollgate-Ignored-Fields", "some_future_field");
        JsonObject sent = FakeProvider.instance().lastRequest();
        assertThat(sent.containsKey("some_future_field")).isFalse();
        assertThat(sent.getDouble("temperature")).isEqualTo(0.2);
    }

    @Test
    void theUpstreamIsAlwaysAskedForAStreamWithUsageAndANonStreamingClientGetsTheWholeCompletion() {
        String user = openAccount("chat");
        post(user, chat("gpt-4o", "Hi [[fake:words=3]]", 50, false)).then().statusCode(200)
                .contentType(containsString("application/json"))
                .body("object", equalTo("chat.completion"))
                .body("id", notNullValue())
                .body("model", equalTo("gpt-4o"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo("w1 w2 w3"))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.completion_tokens", equalTo(3));
        JsonObject sent = FakeProvider.instance().lastRequest();
        assertThat(sent.getBoolean("stream")).isTrue();
        assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    }
}
