package dev.tollgate.usage;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.openAccount;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class UsageResourceTest {

    private static String chargeFor(String model, String character, long input, long output) {
        return "{\"model\":\"" + model + "\"" + (character == null ? "" : ",\"characterId\":\"" + character + "\"")
                + ",\"usage\":{\"uncachedInputTokens\":" + input + ",\"outputTokens\":" + output + "}}";
    }

    @Test
    void reportsTotalsBreakdownsAndPagesOfCallsNewestFirst() {
        String user = openAccount("usage");
        charge(user, "u1", chargeFor("gpt-4o-mini", "luna", 1000, 0)).then().statusCode(201);   // 15
        charge(user, "u2", chargeFor("gpt-4o-mini", "max", 0, 1000)).then().statusCode(201);    // 60
        charge(user, "u3", chargeFor("gpt-4o", "luna", 1000, 1000)).then().statusCode(201);     // 1250
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        as(user).queryParam("size", 2).get("/api/credit/usage")
                .then().statusCode(200)
                .body("totals.calls", equalTo(3))
                .body("totals.uncachedInputTokens", equalTo(2000))
                .body("totals.outputTokens", equalTo(2000))
                .body("totals.totalTokens", equalTo(4000))
                .body("totals.costMillicredits", equalTo(1325))
                .body("byDay.key", contains(today))
                .body("byModel.key", contains("gpt-4o", "gpt-4o-mini"))
                .body("byModel.totals.costMillicredits", contains(1250, 75))
                .body("byCharacter.key", contains("luna", "max"))
                .body("byCharacter.totals.calls", contains(2, 1))
                .body("calls.totalCalls", equalTo(3))
                .body("calls.items.requestId", contains("u3", "u2"));

        as(user).queryParam("size", 2).queryParam("page", 1).get("/api/credit/usage")
                .then().statusCode(200).body("calls.items.requestId", contains("u1"));

        as(user).queryParam("groupBy", "model").get("/api/credit/usage")
                .then().statusCode(200).body("byDay", nullValue()).body("byCharacter", nullValue())
                .body("byModel.size()", equalTo(2));
    }

    @Test
    void archivedCallsCountWhenTheRangeReachesThem() {
        String user = openAccount("usage");
        charge(user, "live", chargeFor("gpt-4o-mini", null, 1000, 0)).then().statusCode(201);
        LedgerProbe.execute("""
                INSERT INTO token_usage_archive (id, user_id, request_id, model, input_tokens, cached_input_tokens,
                       cache_write_tokens, output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated,
                       pricing_id, created_at, archived_at)
                VALUES (-1 * (SELECT COALESCE(MAX(ABS(id)), 0) + 1 FROM token_usage_archive), ?, 'old', 'gpt-4o', 100, 0, 0, 100, 0, 200, 125, false,
                       (SELECT id FROM model_pricing WHERE model = 'gpt-4o' LIMIT 1), '2026-01-15T10:00:00Z', now())""", user);

        as(user).queryParam("from", "2026-01-01").queryParam("to", LocalDate.now(ZoneOffset.UTC).toString())
                .get("/api/credit/usage")
                .then().statusCode(200)
                .body("totals.calls", equalTo(2))
                .body("totals.costMillicredits", equalTo(140))
                .body("byDay.key", contains("2026-01-15", LocalDate.now(ZoneOffset.UTC).toString()));

        as(user).queryParam("from", "2026-01-15").queryParam("to", "2026-01-15").get("/api/credit/usage")
                .then().statusCode(200).body("totals.calls", equalTo(1)).body("calls.items.requestId", contains("old"));
    }

    @Test
    void anEmptyRangeHasZeroTotals() {
        String user = openAccount("usage");
        as(user).queryParam("from", "2025-01-01").queryParam("to", "2025-01-31").get("/api/credit/usage")
                .then().statusCode(200).body("totals.calls", equalTo(0)).body("totals.costMillicredits", equalTo(0))
                .body("calls.items.size()", equalTo(0));
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("from", "2026-13-01"),
                Arguments.of("to", "yesterday"),
                Arguments.of("from", "2030-01-01"),
                Arguments.of("from", "2020-01-01"),
                Arguments.of("size", "0"),
                Arguments.of("size", "201"),
                Arguments.of("size", "abc"),
                Arguments.of("page", "-1"),
                Arguments.of("page", "10001"),
                Arguments.of("groupBy", "user"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badQueries")
    void aBadQueryIsA400Problem(String name, String value) {
        String user = openAccount("usage");
        as(user).queryParam(name, value).get("/api/credit/usage")
                .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
    }
}
