package dev.tollgate.lambda;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.preCheck;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The HTTP functions and a scheduled job as AWS Lambda runs them (Maven profile {@code lambda}):
 * every request goes to the Lambda extension's mock event server, which hands it to the
 * application's poll loop as an API Gateway HTTP API event (payload 2.0); the function's handler
 * (Quarkus' {@code LambdaHttpHandler}, the one AWS calls) answers with the gateway's response
 * object. Real PostgreSQL and real signed tokens, as in every other test.
 */
@QuarkusTest
class LambdaSmokeTest {

    private static final String PROMPT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"maxOutputTokens\":100}";

    private int eventServer;

    @BeforeEach
    void throughTheMockEventServer() {
        eventServer = ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
        // The test app serves no HTTP socket of its own (the Lambda extension's virtual HTTP only):
        // Quarkus points RestAssured at the event server, so every request below is a Lambda invocation.
        assertThat(eventServer).isPositive();
        assertThat(RestAssured.port).isEqualTo(eventServer);
    }

    @Test
    void aUsersCreditsThroughBalancePreCheckAndCharge() {
        String user = Api.newUser("lambda");
        as(user).get("/api/credit/balance").then().statusCode(200)
                .body("availableMillicredits", equalTo(100_000)).body("warningLevel", equalTo("ok"));
        preCheck(user, PROMPT).then().statusCode(200).body("estimatedMillicredits", greaterThan(0));

        String charge = Api.chargeBody("gpt-4o", 2000, 300);
        Api.charge(user, "lambda-charge", charge).then().statusCode(201).header("Idempotent-Replayed", "false")
                .body("costMillicredits", equalTo(800));
        Api.charge(user, "lambda-charge", charge).then().statusCode(201).header("Idempotent-Replayed", "true");
        as(user).get("/api/credit/balance").then().statusCode(200).body("availableMillicredits", equalTo(100_000 - 800));
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void refusalsAreProblemDetails() {
        given().get("/api/credit/balance").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(Tokens.expired("lambda")).get("/api/credit/balance").then().statusCode(401)
                .contentType("application/problem+json");
        String user = Api.openAccount("lambda-refusals");
        Api.charge(user, "drain", Api.chargeBody("gpt-4o", 0, 100_000)).then().statusCode(201);
        as(user).get("/api/credit/balance").then().statusCode(200).body("availableMillicredits", equalTo(0));
        Api.charge(user, "one-more", Api.chargeBody("gpt-4o", 0, 1)).then().statusCode(402)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/insufficient-credits"));
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void anEventAsTheHttpApiSendsItIsAnsweredAsTheHttpApiExpects() {
        String user = Api.newUser("lambda-event");
        JsonPath answer = invoke(LambdaEvents.fromHttpApi("GET", "/api/credit/balance", Tokens.user(user), "203.0.113.7"));
        assertThat(answer.getInt("statusCode")).as(answer.prettify()).isEqualTo(200);
        assertThat(header(answer, "Content-Type")).startsWith("application/json");
        assertThat(JsonPath.from(answer.getString("body")).getInt("availableMillicredits")).isEqualTo(100_000);

        // Without a token the caller is its address: the gateway's sourceIp, the peer the function sees.
        String client = "198.51.100." + (1 + new java.util.Random().nextInt(254));
        String buckets = "SELECT COUNT(*) FROM rate_limit_bucket WHERE bucket_key LIKE '%|ip:' || ?";
        assertThat(LedgerProbe.count(buckets, client)).isZero();
        JsonPath refused = invoke(LambdaEvents.fromHttpApi("GET", "/api/credit/balance", null, client));
        assertThat(refused.getInt("statusCode")).isEqualTo(401);
        assertThat(header(refused, "Content-Type")).startsWith("application/problem+json");
        assertThat(LedgerProbe.count(buckets, client)).isPositive();
    }

    @Test
    void theScheduleOfTheTemplateRunsItsJobAndNothingElseCan() {
        String user = Api.openAccount("lambda-job");
        String stale = reserve(user, "stale");
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid", stale);
        String held = "SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'";
        assertThat(LedgerProbe.count(held, user)).isEqualTo(1);
        String scheduled = SamTemplate.read().scheduleInput("TollgateJobs", "ExpireHolds");

        // The same input through a gateway (it sets requestContext.apiId): refused as an unknown path.
        JsonPath refused = invoke(LambdaEvents.asIfThroughAGateway(scheduled));
        assertThat(refused.getInt("statusCode")).as(refused.prettify()).isEqualTo(404);
        assertThat(header(refused, "Content-Type")).startsWith("application/problem+json");
        assertThat(LedgerProbe.count(held, user)).isEqualTo(1);

        JsonPath answer = invoke(scheduled);
        assertThat(answer.getInt("statusCode")).as(answer.prettify()).isEqualTo(200);
        JsonPath report = JsonPath.from(answer.getString("body"));
        assertThat(report.getString("job")).isEqualTo("expire-holds");
        assertThat(report.getString("status")).isEqualTo("done");
        assertThat(report.getLong("processed")).isPositive();
        assertThat(LedgerProbe.count(held, user)).isZero();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'EXPIRED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    /** Invokes the function with {@code event} as its input (the event server's raw invocation) and returns its output. */
    private JsonPath invoke(String event) {
        String output = given().port(eventServer).contentType(ContentType.JSON).body(event).post("/_lambda_")
                .then().statusCode(200).extract().asString();
        return JsonPath.from(output);
    }

    private static String header(JsonPath answer, String name) {
        return answer.<String, String>getMap("headers").entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
    }

    private static String reserve(String user, String key) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(PROMPT)
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
    }
}
