package dev.tollgate.admin;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Admin calls and database reads for the tests of the admin API. */
final class AdminApi {

    static final String USER_AGENT = "tollgate-admin-test/1.0";
    static final String ADJUSTMENTS = "/api/admin/credit/adjustments";

    private AdminApi() {
    }

    static String newAdmin() {
        return "admin-" + UUID.randomUUID();
    }

    /** A request with an admin's token; decimals in answers are read as exact BigDecimals. */
    static RequestSpecification asAdmin(String admin) {
        return given().auth().oauth2(Tokens.admin(admin))
                .header("User-Agent", USER_AGENT)
                .config(RestAssuredConfig.config().jsonConfig(
                        JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL)));
    }

    static String adjustment(String userId, String bucket, long amount, String reason) {
        return "{\"userId\":\"" + userId + "\",\"bucket\":\"" + bucket + "\",\"amountMillicredits\":" + amount
                + ",\"reason\":\"" + reason + "\"}";
    }

    static Response adjust(String admin, String key, String body) {
        return asAdmin(admin).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post(ADJUSTMENTS);
    }

    static final String PRICE_REASON = "provider list price changed";

    static String priceBody(String input, String output, String effectiveFrom) {
        return "{\"inputCreditsPerMillion\":" + input + ",\"cachedInputCreditsPerMillion\":0,"
                + "\"cacheWriteCreditsPerMillion\":" + input + ",\"outputCreditsPerMillion\":" + output
                + ",\"reasoningCreditsPerMillion\":null,\"reason\":\"" + PRICE_REASON + "\""
                + (effectiveFrom == null ? "" : ",\"effectiveFrom\":\"" + effectiveFrom + "\"") + "}";
    }

    static Response putPrice(String admin, String model, String body) {
        return asAdmin(admin).contentType(ContentType.JSON).body(body).put("/api/admin/pricing/" + model);
    }

    /** A model name of this test run only: prices of the seeded models must not change under other tests. */
    static String newModel() {
        return "admin-test-" + UUID.randomUUID();
    }

    static long priceRows(String model) {
        return Long.parseLong(text("SELECT COUNT(*)::text FROM model_pricing WHERE model = ?", model));
    }

    /** The first column of the first row as text, or {@code null}. */
    static String text(String sql, String arg) {
        return LedgerProbe.text(sql, arg);
    }
}
