package dev.tollgate.smoke;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.preCheck;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Management;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The packaged application (prod profile), once through every endpoint and one flow per feature:
 * what the behavioural suite proves at the {@code @QuarkusTest} level must also hold for the
 * artifact that ships — its configuration, its registrations, its profile.
 */
@QuarkusIntegrationTest
class ApiSmokeIT {

    /** Logged by the start-up work of the HTTP function: the upstream clients, the image-token rules. */
    static final String UPSTREAM_CLIENTS_CREATED = "provider upstream fake: ";
    static final String IMAGE_RULES_CHECKED = "image token rules for ";

    private static final String PROMPT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"maxOutputTokens\":100}";

    @Test
    void aUsersCreditsThroughBalancePreCheckChargeReservationsAndUsage() {
        String user = Api.newUser("smoke");
        as(user).get("/api/credit/balance").then().statusCode(200)
                .body("availableMillicredits", equalTo(100_000)).body("warningLevel", equalTo("ok"));
        preCheck(user, PROMPT).then().statusCode(200)
                .body("estimatedMillicredits", greaterThan(0));

        String charge = Api.chargeBody("gpt-4o", 2000, 300);
        Api.charge(user, "smoke-charge", charge).then().statusCode(201).header("Idempotent-Replayed", "false")
                .body("costMillicredits", equalTo(800));
        Api.charge(user, "smoke-charge", charge).then().statusCode(201).header("Idempotent-Replayed", "true");
        Api.charge(user, "smoke-charge", Api.chargeBody("gpt-4o", 1, 1)).then().statusCode(409)
                .contentType("application/problem+json");

        String settled = reserve(user, "smoke-settle");
        as(user).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":100,\"outputTokens\":50}}")
                .post("/api/credit/reservations/" + settled + "/settle").then().statusCode(200)
                .body("status", equalTo("SETTLED")).body("shortfallMillicredits", equalTo(0));
        String released = reserve(user, "smoke-release");
        as(user).post("/api/credit/reservations/" + released + "/release").then().statusCode(200)
                .body("status", equalTo("RELEASED"));

        String today = Instant.now().truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10);
        as(user).get("/api/credit/usage?from=" + today + "&to=" + today + "&groupBy=model").then().statusCode(200)
                .body("calls.items.size()", equalTo(2)).body("totals.calls", equalTo(2));
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aMeteredChatCallAnsweredWholeAndStreamed() {
        String user = Api.openAccount("smoke-chat");
        as(user).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o", "Hi [[fake:words=3]]", 50, false))
                .post("/v1/chat/completions").then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.content", equalTo("w1 w2 w3"))
                .body("tollgate.cost_millicredits", greaterThan(0));
        String events = as(user).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o", "Hi [[fake:words=3]]", 50, true))
                .post("/v1/chat/completions").then().statusCode(200).contentType(containsString("text/event-stream"))
                .extract().asString();
        assertThat(events).contains("chat.completion.chunk").contains("\"usage\"").endsWith("data: [DONE]\n\n");
        as(user).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}")
                .post("/v1/chat/completions").then().statusCode(422)
                .body("type", equalTo("https://tollgate.dev/problems/unsupported-content"));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ?", user)).isEqualTo(2);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void theBalanceStreamStartsWithTheBalance() throws Exception {
        String user = Api.openAccount("smoke-events");
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/credit/events"))
                .header("Authorization", "Bearer " + Tokens.user(user)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        StringBuilder first = new StringBuilder();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null && !(line.isEmpty() && first.indexOf("data:") >= 0);
                    line = lines.readLine()) {
                first.append(line).append('\n');
            }
        }
        assertThat(first).contains("event:balance").contains("\"availableMillicredits\":100000");
    }

    @Test
    void anAdminAdjustsReadsTheAccountTheAuditAndThePricesAndRunsAJob() {
        String admin = "smoke-admin-" + UUID.randomUUID();
        String user = Api.openAccount("smoke-target");
        String token = Tokens.admin(admin);
        given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-adjust")
                .body("{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":5000,\"reason\":\"smoke\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201).body("actor", equalTo("admin:" + admin));
        given().auth().oauth2(token).get("/api/admin/accounts/" + user).then().statusCode(200)
                .body("purchasedMillicredits", equalTo(5000)).body("shortfallCount", equalTo(0));
        given().auth().oauth2(token).get("/api/admin/audit?userId=" + user).then().statusCode(200)
                .body("items.size()", equalTo(2));
        given().auth().oauth2(token).get("/api/admin/pricing?model=gpt-4o").then().statusCode(200)
                .body("models[0].model", equalTo("gpt-4o")).body("models[0].prices[0].model", equalTo("gpt-4o"));
        given().auth().oauth2(token).post("/api/admin/jobs/expire-holds?reason=smoke").then().statusCode(200)
                .body("job", equalTo("expire-holds"));
        given().auth().oauth2(token).post("/api/admin/credit/process-compensations").then().statusCode(200);
        // A user is not an admin.
        as(user).get("/api/admin/accounts/" + user).then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void webhookEndpointsThroughTheAdminApiWithTheAddressGuardOn() {
        String token = Tokens.admin("smoke-hooks-" + UUID.randomUUID());
        String hooks = "/api/admin/webhooks";
        // The shipped profile refuses loopback addresses and plain http.
        given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-hook-loopback")
                .body("{\"url\":\"https://127.0.0.1/hooks\"}").post(hooks).then().statusCode(422)
                .contentType("application/problem+json").body("reason", containsString("non-public"));
        given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-hook-http")
                .body("{\"url\":\"http://93.184.215.14/hooks\"}").post(hooks).then().statusCode(422)
                .body("reason", equalTo("the URL is not https"));
        // A public address (an IP literal: no DNS needed), disabled so that nothing is sent to it.
        String id = given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-hook")
                .body("{\"url\":\"https://93.184.215.14/hooks\",\"enabled\":false,\"eventTypes\":[\"balance.low\"]}")
                .post(hooks).then().statusCode(201).body("secret", startsWith("whsec_")).extract().path("id");
        given().auth().oauth2(token).get(hooks).then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-hook-patch")
                .body("{\"description\":\"smoke\"}").patch(hooks + "/" + id).then().statusCode(200)
                .body("description", equalTo("smoke")).body("enabled", equalTo(false));
        given().auth().oauth2(token).get(hooks + "/" + id + "/deliveries").then().statusCode(200).body("size()", equalTo(0));
        given().auth().oauth2(token).header("Idempotency-Key", "smoke-hook-replay").post(hooks + "/deliveries/1/replay")
                .then().statusCode(404);
        given().auth().oauth2(token).header("Idempotency-Key", "smoke-hook-delete").delete(hooks + "/" + id)
                .then().statusCode(200).body("deleted", equalTo(true));
        given().auth().oauth2(token).header("Idempotency-Key", "smoke-hook-delete").delete(hooks + "/" + id)
                .then().statusCode(200).header("Idempotent-Replayed", "true");
    }

    @Test
    void refusalsAreProblemDetails() {
        given().get("/api/credit/balance").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(Tokens.expired("smoke")).get("/api/credit/balance").then().statusCode(401);
        String user = Api.openAccount("smoke-refusals");
        Api.charge(user, "drain", Api.chargeBody("gpt-4o", 0, 100_000)).then().statusCode(201);
        Api.charge(user, "one-more", Api.chargeBody("gpt-4o", 0, 1)).then().statusCode(402)
                .body("type", equalTo("https://tollgate.dev/problems/insufficient-credits"));
        Api.charge(user, "unknown-model", Api.chargeBody("gpt-9", 1, 1)).then().statusCode(422);
        Api.charge(user, "tollgate:settle:x", Api.chargeBody("gpt-4o", 1, 1)).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reserved"));
        // Stripe is not configured here: the purchase calls say so.
        as(user).get("/api/credit/packs").then().statusCode(404)
                .body("type", equalTo("https://tollgate.dev/problems/purchases-not-configured"));
    }

    @Test
    void thePagesAndTheFrontDoorOnThePublicPortTheDocumentHealthAndMetricsOnTheManagementPort() {
        given().get("/").then().statusCode(200).body(containsString("/tollgate/dashboard.html"));
        given().get("/tollgate/dashboard.html").then().statusCode(200).contentType(startsWith("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"));
        assertThat(Management.port()).as("the management port").isNotEqualTo(RestAssured.port);
        Management.given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/chat/completions"));
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .body(containsString("tollgate_ledger_entries_total"));
        for (String path : new String[] { "/q/openapi", "/q/health", "/q/health/ready", "/q/metrics" }) {
            given().accept("*/*").get(path).then().statusCode(404);
        }
        given().get("/dev/token").then().statusCode(404);
        given().get("/api/credit/balance").then().header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store");
    }

    @Test
    void theUpstreamClientsAndImageRulesAreReadyBeforeTheFirstRequest() throws Exception {
        // The launcher's log of this application (prod profile): what was done before "started in" was not
        // left to the first chat call.
        List<String> lines = Files.readAllLines(Path.of("target", "quarkus.log"));
        int started = IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains("started in")).findFirst().orElse(-1);
        assertThat(started).as("the application logged its start").isPositive();
        assertThat(lines.subList(0, started)).anyMatch(line -> line.contains(UPSTREAM_CLIENTS_CREATED))
                .anyMatch(line -> line.contains(IMAGE_RULES_CHECKED));
    }

    private static String reserve(String user, String key) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(PROMPT)
                .post("/api/credit/reservations").then().statusCode(201).body("reservationId", notNullValue())
                .extract().path("reservationId");
    }
}
