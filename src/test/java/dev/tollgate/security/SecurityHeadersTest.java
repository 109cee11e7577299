package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Standard security headers on every answer (API, errors, health), no caching of API answers,
 * CORS only for the configured web-app origin, and no error that names our internals.
 */
@QuarkusTest
class SecurityHeadersTest {

    static final String OTHER_ORIGIN = "https://evil.example.net";

    static void assertStandardHeaders(Response response) {
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.header("Strict-Transport-Security")).startsWith("max-age=");
    }

    static void assertApiHeaders(Response response) {
        assertStandardHeaders(response);
        assertThat(response.headers().getValues("Cache-Control")).containsExactly("no-store");
        assertThat(response.header("Content-Security-Policy")).contains("default-src 'none'").contains("frame-ancestors 'none'");
    }

    static Stream<Arguments> answers() {
        String user = "headers-" + UUID.randomUUID();
        return Stream.of(
                Arguments.of("200 balance", (Supplier<Response>) () -> Api.as(user).get("/api/credit/balance")),
                Arguments.of("401 no token", (Supplier<Response>) () -> given().get("/api/credit/balance")),
                Arguments.of("403 admin", (Supplier<Response>) () -> Api.as(user).get("/api/admin/pricing")),
                Arguments.of("400 bad body", (Supplier<Response>) () -> Api.as(user).contentType(ContentType.JSON)
                        .header("Idempotency-Key", "x").body("{").post("/api/credit/charges")),
                Arguments.of("404 unknown path", (Supplier<Response>) () -> Api.as(user).get("/api/credit/nothing-here")),
                Arguments.of("413 body too large", (Supplier<Response>) () -> Api.as(user).contentType(ContentType.JSON)
                        .body("{\"model\":\"" + "x".repeat(1_100_000) + "\"}").post("/api/credit/charges")),
                Arguments.of("200 chat", (Supplier<Response>) () -> Api.as(user).contentType(ContentType.JSON)
                        .body(Api.chatBody("gpt-4o-mini", "hi", 10, false)).post("/v1/chat/completions")),
                Arguments.of("200 chat stream", (Supplier<Response>) () -> Api.as(user).contentType(ContentType.JSON)
                        .body(Api.chatBody("gpt-4o-mini", "hi", 10, true)).post("/v1/chat/completions")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void everyApiAnswerCarriesTheSecurityHeadersAndIsNeverCached(String name, Supplier<Response> call) {
        assertApiHeaders(call.get());
    }

    @Test
    void pagesOutsideTheApiCarryTheStandardHeaders() {
        assertStandardHeaders(given().get("/"));
        // The public port's 404 for a management path (served on the management port) too.
        assertStandardHeaders(given().get("/q/health/live"));
        assertStandardHeaders(given().get("/no-such-page"));
    }

    @Test
    void theWebAppOriginMayCallTheApiFromABrowser() {
        String origin = TollgateTestResources.WEB_ORIGIN;
        Response preflight = given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key,x-tollgate-account")
                .options("/api/credit/charges");
        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(preflight.header("Access-Control-Allow-Headers").toLowerCase(Locale.ROOT))
                .contains("authorization").contains("idempotency-key").contains("x-tollgate-account");

        Response answer = Api.as(Api.newUser("cors")).header("Origin", origin).get("/api/credit/balance");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(answer.header("Access-Control-Expose-Headers")).contains("RateLimit-Remaining").contains("Retry-After");
    }

    @Test
    void anyOtherOriginGetsNoCorsPermission() {
        Response preflight = given().header("Origin", OTHER_ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/credit/charges");
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        assertThat(preflight.statusCode()).isGreaterThanOrEqualTo(400);

        Response answer = Api.as(Api.newUser("cors")).header("Origin", OTHER_ORIGIN).get("/api/credit/balance");
        assertThat(answer.header("Access-Control-Allow-Origin")).isNull();
        assertThat(answer.header("Access-Control-Allow-Credentials")).isNull();
    }

    /** Words that only appear in an error when internals leak. */
    static final List<String> INTERNALS = List.of("exception", "java.", "javax.", "jakarta.", "dev.tollgate", "org.",
            "io.quarkus", "io.vertx", "jackson", "hibernate", "resteasy", "postgres", "psql", "sql state", "\tat ",
            "stack", "caused by", "credit_account", "credit_audit_log");

    static Stream<Arguments> badRequests() {
        String user = "leak-" + UUID.randomUUID();
        byte[] invalidUtf8 = { '{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}' };
        return Stream.of(
                Arguments.of("malformed json", (Supplier<Response>) () -> post(user, "/api/credit/charges", "{\"model\":")),
                Arguments.of("wrong type", (Supplier<Response>) () -> post(user, "/api/credit/charges", "{\"model\":[1,{\"a\":null}]}")),
                Arguments.of("unknown field", (Supplier<Response>) () -> post(user, "/api/credit/charges", "{\"__proto__\":{}}")),
                Arguments.of("huge number", (Supplier<Response>) () -> post(user, "/api/credit/charges",
                        "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":1e400,\"outputTokens\":1}}")),
                Arguments.of("deep nesting", (Supplier<Response>) () -> post(user, "/api/credit/pre-check",
                        "[".repeat(5_000) + "]".repeat(5_000))),
                Arguments.of("invalid utf-8", (Supplier<Response>) () -> Api.as(user).contentType("application/json")
                        .header("Idempotency-Key", "k").body(invalidUtf8).post("/api/credit/charges")),
                Arguments.of("invalid utf-8 chat", (Supplier<Response>) () -> Api.as(user).contentType("application/json")
                        .body(invalidUtf8).post("/v1/chat/completions")),
                Arguments.of("sql in a path", (Supplier<Response>) () -> Api.as(user)
                        .post("/api/credit/reservations/1';DROP TABLE credit_account;--/release")),
                Arguments.of("wrong media type", (Supplier<Response>) () -> Api.as(user).contentType("text/xml")
                        .header("Idempotency-Key", "k").body("<charge/>").post("/api/credit/charges")),
                Arguments.of("wrong method", (Supplier<Response>) () -> Api.as(user).delete("/api/credit/balance")),
                Arguments.of("not acceptable", (Supplier<Response>) () -> Api.as(user).accept("application/xml").get("/api/credit/balance")),
                Arguments.of("bad query", (Supplier<Response>) () -> Api.as(user).queryParam("size", "1e99")
                        .queryParam("from", "2026-13-45").get("/api/credit/usage")),
                Arguments.of("bad admin query", (Supplier<Response>) () -> given().auth().oauth2(Tokens.admin("leak-admin"))
                        .queryParam("from", "yesterday").queryParam("page", "-1").get("/api/admin/audit")),
                Arguments.of("unknown job", (Supplier<Response>) () -> given().auth().oauth2(Tokens.admin("leak-admin"))
                        .post("/api/admin/jobs/..%2F..%2Fetc%2Fpasswd")),
                Arguments.of("garbage token", (Supplier<Response>) () -> given().header("Authorization", "Bearer a.b.c")
                        .get("/api/credit/balance")));
    }

    private static Response post(String user, String path, String body) {
        return Api.as(user).contentType(ContentType.JSON).header("Idempotency-Key", "k-" + UUID.randomUUID())
                .body(body.getBytes(StandardCharsets.UTF_8)).post(path);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void anErrorNeverNamesOurInternals(String name, Supplier<Response> call) {
        Response response = call.get();
        assertThat(response.statusCode()).as(name).isBetween(400, 499);
        String body = response.asString().toLowerCase(Locale.ROOT);
        assertThat(INTERNALS).as(body).noneMatch(body::contains);
        if (!body.isEmpty()) {
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertStandardHeaders(response);
    }
}
