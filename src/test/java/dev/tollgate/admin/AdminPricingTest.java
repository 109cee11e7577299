package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApi.asAdmin;
import static dev.tollgate.admin.AdminApi.newAdmin;
import static dev.tollgate.admin.AdminApi.newModel;
import static dev.tollgate.admin.AdminApi.priceBody;
import static dev.tollgate.admin.AdminApi.priceRows;
import static dev.tollgate.admin.AdminApi.putPrice;
import static dev.tollgate.admin.AdminApi.text;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

/**
 * {@code GET|PUT /api/admin/pricing}: a new price is a new row from its time on, old rows stay,
 * decimals are exact. Every test prices a model of its own, so that no other test's charges
 * change.
 */
@QuarkusTest
class AdminPricingTest {

    private final String admin = newAdmin();

    @Test
    void aNewPriceAppliesFromItsTimeOnAndTheOldRowStays() throws InterruptedException {
        String model = newModel();
        LedgerProbe.seedPrice(model);
        String user = openAccount("pricing");
        Instant effectiveFrom = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);

        Response changed = putPrice(admin, model, priceBody("2000", "2000", effectiveFrom.toString()));
        changed.then().statusCode(201)
                .contentType(ContentType.JSON)
                .body("price.model", equalTo(model))
                .body("price.inputCreditsPerMillion", equalTo(new BigDecimal("2000.000000")))
                .body("price.reasoningCreditsPerMillion", nullValue())
                .body("price.effectiveFrom", equalTo(effectiveFrom.toString()))
                .body("price.current", equalTo(false))
                .body("price.status", equalTo("scheduled"))
                .body("prices", hasSize(2))
                .body("prices[1].current", equalTo(true))
                .body("note", startsWith("Prices are never changed in place"));

        // Everywhere once both its time has come and the other instances' price caches have run out.
        assertThat(Instant.parse(changed.<String> path("appliesOnEveryInstanceBy"))).isAfterOrEqualTo(effectiveFrom);

        // Before its time, the old price: 1,000 input tokens at 1,000 credits/M = 1 credit.
        charge(user, "before-" + UUID.randomUUID(), chargeBody(model, 1_000, 0))
                .then().statusCode(201).body("costMillicredits", equalTo(1_000));
        asAdmin(admin).queryParam("model", model).get("/api/admin/pricing")
                .then().statusCode(200)
                .body("models", hasSize(1))
                .body("models[0].model", equalTo(model))
                .body("models[0].prices", hasSize(2))
                .body("models[0].prices[0].status", equalTo("scheduled"))
                .body("models[0].prices[0].inputCreditsPerMillion", equalTo(new BigDecimal("2000.000000")))
                .body("models[0].prices[1].status", equalTo("current"))
                .body("models[0].prices[1].current", equalTo(true))
                .body("models[0].prices[1].inputCreditsPerMillion", equalTo(new BigDecimal("1000.000000")));

        waitUntil(effectiveFrom.plusMillis(50));
        // From its time on, the new one (this instance dropped its cached prices at the change).
        charge(user, "after-" + UUID.randomUUID(), chargeBody(model, 1_000, 0))
                .then().statusCode(201).body("costMillicredits", equalTo(2_000));
        asAdmin(admin).queryParam("model", model).get("/api/admin/pricing")
                .then().statusCode(200)
                .body("models[0].prices[0].status", equalTo("current"))
                .body("models[0].prices[0].current", equalTo(true))
                .body("models[0].prices[1].status", equalTo("superseded"))
                .body("models[0].prices[1].current", equalTo(false));
        assertThat(priceRows(model)).isEqualTo(2);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void theSheetListsEveryModelWithItsRowsNewestFirst() {
        String model = newModel();
        LedgerProbe.seedPrice(model);
        putPrice(admin, model, priceBody("3", "4", Instant.now().plus(Duration.ofDays(2)).toString()))
                .then().statusCode(201);
        Response sheet = asAdmin(admin).get("/api/admin/pricing");
        sheet.then().statusCode(200)
                .body("asOf", notNullValue())
                .body("truncated", equalTo(false))
                .body("models.model", hasItems("gpt-4o-mini", model))
                .body("models.find { it.model == 'gpt-4o-mini' }.prices[0].current", equalTo(true))
                .body("models.find { it.model == '" + model + "' }.prices.status",
                        contains("scheduled", "current"));
    }

    @Test
    void withoutAnEffectiveFromThePriceAppliesAfterThePriceCacheOfEveryInstance() {
        String model = newModel();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Response response = putPrice(admin, model, priceBody("5", "6", null));
        response.then().statusCode(201);
        Instant effectiveFrom = Instant.parse(response.path("price.effectiveFrom"));
        assertThat(effectiveFrom).isAfter(before).isBefore(before.plus(Duration.ofMinutes(2)));
        assertThat(Instant.parse(response.<String> path("appliesOnEveryInstanceBy"))).isEqualTo(effectiveFrom);
    }

    @Test
    void aModelNameMayContainASlash() {
        String model = "admin-test/" + UUID.randomUUID();
        putPrice(admin, model, priceBody("1", "1", null)).then().statusCode(201).body("price.model", equalTo(model));
        assertThat(priceRows(model)).isEqualTo(1);
    }

    @Test
    void decimalsAreStoredAndAnsweredExactly() {
        String model = newModel();
        String body = "{\"inputCreditsPerMillion\":0.000001,\"cachedInputCreditsPerMillion\":1234.5,"
                + "\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":999999.123456,"
                + "\"reasoningCreditsPerMillion\":1e-6,\"reason\":\"exactness\"}";
        Response response = putPrice(admin, model, body);
        response.then().statusCode(201)
                .body("price.inputCreditsPerMillion", equalTo(new BigDecimal("0.000001")))
                .body("price.cachedInputCreditsPerMillion", equalTo(new BigDecimal("1234.500000")))
                .body("price.cacheWriteCreditsPerMillion", equalTo(new BigDecimal("0.000000")))
                .body("price.outputCreditsPerMillion", equalTo(new BigDecimal("999999.123456")))
                .body("price.reasoningCreditsPerMillion", equalTo(new BigDecimal("0.000001")));
        // The JSON text itself, not a double's rendering of it.
        assertThat(response.asString()).contains("\"outputCreditsPerMillion\":999999.123456",
                "\"inputCreditsPerMillion\":0.000001");
        String column = "SELECT %s::text FROM model_pricing WHERE model = ?";
        assertThat(text(column.formatted("input_credits_per_million"), model)).isEqualTo("0.000001");
        assertThat(text(column.formatted("output_credits_per_million"), model)).isEqualTo("999999.123456");
        assertThat(text(column.formatted("reasoning_credits_per_million"), model)).isEqualTo("0.000001");
    }

    @Test
    void aSecondPriceAtTheSameTimeIs409() {
        String model = newModel();
        String at = Instant.now().plus(Duration.ofHours(1)).toString();
        putPrice(admin, model, priceBody("1", "1", at)).then().statusCode(201);
        putPrice(admin, model, priceBody("2", "2", at))
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/price-already-scheduled"));
        assertThat(priceRows(model)).isEqualTo(1);
    }

    @Test
    void aPriceInThePastIs400AndWritesNothing() {
        String model = newModel();
        putPrice(admin, model, priceBody("1", "1", Instant.now().minusSeconds(5).toString()))
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/invalid-request"))
                .body("detail", startsWith("'effectiveFrom' is in the past"));
        assertThat(priceRows(model)).isZero();
    }

    static Stream<Arguments> badBodies() {
        // Every body below is valid but for the one point its name says.
        String rest = ",\"cachedInputCreditsPerMillion\":0,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":1";
        String reason = ",\"reason\":\"test\"";
        return Stream.of(
                Arguments.of("empty object", "{}"),
                Arguments.of("null body", "null"),
                Arguments.of("malformed json", "{\"inputCreditsPerMillion\":"),
                Arguments.of("zero input", "{\"inputCreditsPerMillion\":0" + rest + reason + "}"),
                Arguments.of("negative input", "{\"inputCreditsPerMillion\":-1" + rest + reason + "}"),
                Arguments.of("zero output", "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":0,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":0" + reason + "}"),
                Arguments.of("missing output", "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":0,\"cacheWriteCreditsPerMillion\":0" + reason + "}"),
                Arguments.of("missing cached input", "{\"inputCreditsPerMillion\":1,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":1" + reason + "}"),
                Arguments.of("negative cached input", "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":-0.5,\"cacheWriteCreditsPerMillion\":0,\"outputCreditsPerMillion\":1" + reason + "}"),
                Arguments.of("negative reasoning", "{\"inputCreditsPerMillion\":1" + rest + ",\"reasoningCreditsPerMillion\":-1" + reason + "}"),
                Arguments.of("seven decimals", "{\"inputCreditsPerMillion\":0.0000001" + rest + reason + "}"),
                Arguments.of("above a million", "{\"inputCreditsPerMillion\":1000000.000001" + rest + reason + "}"),
                Arguments.of("far above a million", "{\"inputCreditsPerMillion\":1234567.123456" + rest + reason + "}"),
                Arguments.of("price as string", "{\"inputCreditsPerMillion\":\"15\"" + rest + reason + "}"),
                Arguments.of("price as boolean", "{\"inputCreditsPerMillion\":true" + rest + reason + "}"),
                Arguments.of("unknown field", "{\"inputCreditsPerMillion\":1" + rest + ",\"model\":\"gpt-4o\"" + reason + "}"),
                Arguments.of("duplicate key", "{\"inputCreditsPerMillion\":1" + rest + ",\"inputCreditsPerMillion\":2" + reason + "}"),
                Arguments.of("effectiveFrom not an instant", "{\"inputCreditsPerMillion\":1" + rest + ",\"effectiveFrom\":\"tomorrow\"" + reason + "}"),
                Arguments.of("effectiveFrom a date", "{\"inputCreditsPerMillion\":1" + rest + ",\"effectiveFrom\":\"2031-01-01\"" + reason + "}"),
                Arguments.of("effectiveFrom as number", "{\"inputCreditsPerMillion\":1" + rest + ",\"effectiveFrom\":1900000000" + reason + "}"),
                Arguments.of("effectiveFrom years ahead", "{\"inputCreditsPerMillion\":1" + rest + ",\"effectiveFrom\":\"2999-01-01T00:00:00Z\"" + reason + "}"),
                Arguments.of("effectiveFrom long ago", "{\"inputCreditsPerMillion\":1" + rest + ",\"effectiveFrom\":\"2020-01-01T00:00:00Z\"" + reason + "}"),
                Arguments.of("missing reason", "{\"inputCreditsPerMillion\":1" + rest + "}"),
                Arguments.of("blank reason", "{\"inputCreditsPerMillion\":1" + rest + ",\"reason\":\"  \"}"),
                Arguments.of("reason with a control character", "{\"inputCreditsPerMillion\":1" + rest + ",\"reason\":\"a\\u0000b\"}"),
                Arguments.of("reason too long", "{\"inputCreditsPerMillion\":1" + rest + ",\"reason\":\"" + "r".repeat(501) + "\"}"),
                Arguments.of("reason as number", "{\"inputCreditsPerMillion\":1" + rest + ",\"reason\":7}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aBadBodyIs400AndWritesNothing(String name, String body) {
        String model = newModel();
        putPrice(admin, model, body)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("type", startsWith("https://tollgate.dev/problems/"));
        assertThat(priceRows(model)).isZero();
    }

    @Test
    void aBadModelNameIs400() {
        putPrice(admin, "bad%20model", priceBody("1", "1", null))
                .then().statusCode(400).contentType("application/problem+json");
        putPrice(admin, "m".repeat(129), priceBody("1", "1", null))
                .then().statusCode(400).contentType("application/problem+json");
        asAdmin(admin).queryParam("model", "bad model").get("/api/admin/pricing")
                .then().statusCode(400).contentType("application/problem+json");
        assertThat(priceRows("bad model")).isZero();
    }

    private static void waitUntil(Instant time) throws InterruptedException {
        long millis = Duration.between(Instant.now(), time).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
