package dev.tollgate.charge;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class ChargeResourceTest {

    @Test
    void chargesTheExactPriceMonthlyBucketFirstAndRecordsTheCall() {
        String user = openAccount("charge");
        // gpt-4o-mini: 15 credits/M input, 60 credits/M output.
        // 1,000 input + 500 output = 0.015 + 0.030 = 0.045 credits = 45 millicredits.
        long usageId = charge(user, "call-1", "{\"model\":\"gpt-4o-mini\",\"characterId\":\"luna\",\"conversationId\":\"c-1\","
                + "\"usage\":{\"uncachedInputTokens\":1000,\"outputTokens\":500}}")
                .then().statusCode(201)
                .contentType(ContentType.JSON)
                .header("Idempotent-Replayed", "false")
                .body("costMillicredits", equalTo(45))
                .body("costCredits", equalTo(0.045f))
                .body("requestId", equalTo("call-1"))
                .body("model", equalTo("gpt-4o-mini"))
                .body("chargeId", notNullValue())
                .body("usageId", notNullValue())
                .body("balance.monthlyMillicredits", equalTo(100_000 - 45))
                .body("balance.availableMillicredits", equalTo(100_000 - 45))
                .extract().jsonPath().getLong("usageId");

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 45, 0, 0);
        // The charge's one statement wrote the usage row and the entry that points at it.
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log l JOIN token_usage u ON u.id = l.usage_id"
                + " WHERE l.user_id = ? AND l.operation = 'CHARGE' AND u.id = " + usageId, user)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.count(
                "SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND character_id = 'luna' AND conversation_id = 'c-1' AND total_tokens = 1500 AND cost_millicredits = 45",
                user)).isEqualTo(1);
    }

    static Stream<Arguments> pricedCalls() {
        return Stream.of(
                // 1 input token of gpt-4o-mini = 0.000015 credits: rounded up to 1 millicredit.
                argumentSet("a call of one token is never free", chargeBody("gpt-4o-mini", 1, 0), 1),
                // claude-sonnet-4: input 300, cache read 30, cache write 375, output 1500 (credits/M).
                // 1000*300 + 2000*30 + 400*375 + 100*1500 = 300000 + 60000 + 150000 + 150000 = 660000 -> 0.66 credits.
                argumentSet("cached and cache write tokens are priced in their own buckets",
                        "{\"model\":\"claude-sonnet-4\",\"usage\":{\"uncachedInputTokens\":1000,"
                                + "\"cachedInputTokens\":2000,\"cacheWriteTokens\":400,\"outputTokens\":100}}", 660),
                // o4-mini: output 440 credits/M, reasoning unpriced -> 440. 1000 reasoning + 1000 output = 0.88 credits.
                argumentSet("reasoning tokens without a price of their own cost the output price",
                        "{\"model\":\"o4-mini\",\"usage\":{\"uncachedInputTokens\":0,"
                                + "\"outputTokens\":1000,\"reasoningTokens\":1000}}", 880));
    }

    @ParameterizedTest
    @MethodSource("pricedCalls")
    void aCallCostsItsPrice(String body, int costMillicredits) {
        String user = openAccount("charge");
        charge(user, "priced", body).then().statusCode(201).body("costMillicredits", equalTo(costMillicredits));
    }

    @Test
    void aRetryWithTheSameKeyChargesOnceAndAnswersTheSameBody() {
        String user = openAccount("charge");
        String body = chargeBody("gpt-4o", 2000, 300);
        Response first = charge(user, "retry-1", body);
        Response second = charge(user, "retry-1", body);

        first.then().statusCode(201).header("Idempotent-Replayed", "false");
        second.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(second.asString()).isEqualTo(first.asString());
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2); // the opening grant and one charge
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aRetryAfterTheCallWasArchivedStillAnswersTheSameBodyAndChargesOnce() {
        String user = openAccount("charge");
        String body = chargeBody("gpt-4o", 2000, 300);
        String first = charge(user, "archived-1", body).then().statusCode(201).extract().asString();
        LedgerProbe.execute("""
                WITH moved AS (DELETE FROM token_usage WHERE user_id = ? RETURNING *)
                INSERT INTO token_usage_archive (id, user_id, request_id, model, character_id, conversation_id,
                       input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
                       total_tokens, cost_millicredits, estimated, pricing_id, reservation_id, shortfall_millicredits,
                       created_at, archived_at)
                SELECT id, user_id, request_id, model, character_id, conversation_id, input_tokens, cached_input_tokens,
                       cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
                       pricing_id, reservation_id, shortfall_millicredits, created_at, now() FROM moved""", user);

        String again = charge(user, "archived-1", body).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().asString();
        assertThat(again).isEqualTo(first);
        assertThat(LedgerProbe.usageRows(user)).isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void theRequestIdInTheBodyIsTheKeyWhenNoHeaderIsSent() {
        String user = openAccount("charge");
        String body = "{\"requestId\":\"req-77\",\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":10}}";
        as(user).contentType(ContentType.JSON).body(body).post("/api/credit/charges").then().statusCode(201)
                .header("Idempotent-Replayed", "false");
        as(user).contentType(ContentType.JSON).body(body).post("/api/credit/charges").then().statusCode(201)
                .header("Idempotent-Replayed", "true");
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIsAConflictAndChangesNothing() {
        String user = openAccount("charge");
        charge(user, "reused", chargeBody("gpt-4o-mini", 100, 100)).then().statusCode(201);

        refusedAndNothingChanged(user, "reused", chargeBody("gpt-4o-mini", 100, 101), 409, "idempotency-key-reused")
                .body("status", equalTo(409));
    }

    @Test
    void aChargeTheAccountCannotCoverIs402WithRequiredAndAvailableAndChangesNothing() {
        String user = openAccount("charge");
        // claude-sonnet-4 output 1500 credits/M: 100,000 output tokens = 150 credits > 100 available.
        refusedAndNothingChanged(user, "too-big", chargeBody("claude-sonnet-4", 0, 100_000), 402, "insufficient-credits")
                .body("required", equalTo(150.0f))
                .body("available", equalTo(100.0f))
                .body("requiredMillicredits", equalTo(150_000))
                .body("availableMillicredits", equalTo(100_000))
                .body("plan", equalTo("free"))
                .body("upgrade", startsWith("Upgrade"));

        // Nothing was stored under the key: once credits suffice, the same key charges.
        charge(user, "too-big", chargeBody("claude-sonnet-4", 0, 1_000)).then().statusCode(201);
    }

    @Test
    void anUnknownModelIsRefusedAndNeverFree() {
        String user = openAccount("charge");
        refusedAndNothingChanged(user, "unknown", chargeBody("gpt-99-turbo", 100, 100), 422, "unknown-model")
                .body("model", equalTo("gpt-99-turbo"));
    }

    /**
     * Charges the body under the key, expects a problem of the status and type, and checks that no
     * row of the account changed; answers the response for the checks of the caller.
     */
    private static ValidatableResponse refusedAndNothingChanged(String user, String key, String body, int status,
            String type) {
        String before = LedgerProbe.snapshot(user);
        ValidatableResponse response = charge(user, key, body).then().statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/" + type));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        return response;
    }

    @Test
    void aFirstChargeOpensTheAccount() {
        String user = "charge-new-" + UUID.randomUUID();
        charge(user, "first", chargeBody("gpt-4o-mini", 1000, 0)).then().statusCode(201)
                .body("balance.monthlyMillicredits", equalTo(100_000 - 15));
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(100_000 - 15, 0, 0);
    }
}
