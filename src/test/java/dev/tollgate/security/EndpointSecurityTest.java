package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Every endpoint, user and admin, with every kind of bad token (none, expired, another signing key,
 * another issuer, another audience, an ID token, {@code alg: none}, an HMAC signature, garbage) is 401, every
 * admin endpoint with a user's token is 403, a user's token never reaches another user's holds —
 * and none of these requests changes a row of the ledger: all tables are digested before and after.
 * A hold past its expiry is planted first, so that a job run that got through would show.
 */
@QuarkusTest
class EndpointSecurityTest {

    static final String HOLD_BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"maxOutputTokens\":100}";
    static final String SETTLE_BODY = "{\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":5}}";

    static List<Call> userCalls(String holdId) {
        return List.of(
                new Call("GET", "/api/credit/balance", null),
                new Call("GET", "/api/credit/usage", null),
                new Call("POST", "/api/credit/pre-check", HOLD_BODY),
                new Call("POST", "/api/credit/charges", Api.chargeBody("gpt-4o-mini", 10, 10)),
                new Call("POST", "/api/credit/reservations", HOLD_BODY),
                new Call("POST", "/api/credit/reservations/" + holdId + "/settle", SETTLE_BODY),
                new Call("POST", "/api/credit/reservations/" + holdId + "/release", null),
                new Call("POST", "/v1/chat/completions", Api.chatBody("gpt-4o-mini", "hi", 10, false)));
    }

    static List<Call> adminCalls(String target) {
        return List.of(
                new Call("POST", "/api/admin/credit/adjustments", "{\"userId\":\"" + target + "\",\"bucket\":\"purchased\","
                        + "\"amountMillicredits\":5000,\"reason\":\"goodwill\"}"),
                new Call("GET", "/api/admin/pricing", null),
                new Call("PUT", "/api/admin/pricing/gpt-4o-mini", "{\"inputCreditsPerMillion\":1,\"cachedInputCreditsPerMillion\":0,"
                        + "\"cacheWriteCreditsPerMillion\":1,\"outputCreditsPerMillion\":2}"),
                new Call("GET", "/api/admin/audit?userId=" + target, null),
                new Call("GET", "/api/admin/accounts/" + target, null),
                new Call("POST", "/api/admin/jobs/expire-holds", null),
                new Call("POST", "/api/admin/jobs/refresh", null),
                new Call("POST", "/api/admin/jobs/process-compensations", null),
                new Call("POST", "/api/admin/jobs/archive-usage", null),
                new Call("POST", "/api/admin/jobs/purge-rate-limits", null),
                new Call("POST", "/api/admin/jobs/process-top-ups", null),
                new Call("POST", "/api/admin/jobs/expire-grants", null),
                new Call("POST", "/api/admin/jobs/predict-depletion", null),
                new Call("POST", "/api/admin/credit/grants", "{\"userId\":\"" + target + "\",\"amountMillicredits\":1000,"
                        + "\"expiresAt\":\"2099-01-01T00:00:00Z\",\"reason\":\"security test\"}"),
                new Call("GET", "/api/admin/webhooks", null),
                new Call("POST", "/api/admin/webhooks", "{\"url\":\"https://chat.example.com/hooks\"}"),
                new Call("POST", "/api/admin/credit/process-compensations", null));
    }

    static Map<String, Function<String, String>> badTokens() {
        Map<String, Function<String, String>> tokens = new LinkedHashMap<>();
        tokens.put("no token", subject -> null);
        tokens.put("expired", Tokens::expired);
        tokens.put("signed by a key not in the JWKS", Tokens::signedByAnotherKey);
        tokens.put("wrong issuer", Tokens::wrongIssuer);
        tokens.put("wrong audience", Tokens::wrongAudience);
        tokens.put("an ID token (typ: ID)", Tokens::idToken);
        tokens.put("alg none", Tokens::unsigned);
        tokens.put("HS256 with an attacker's secret", Tokens::hmacSigned);
        tokens.put("garbage", subject -> "not.a.jwt");
        return tokens;
    }

    @Test
    void badTokensAre401UserTokensOnAdminCallsAre403AndNothingChanges() throws Exception {
        String victim = Api.openAccount("victim");
        String victimHold = hold(victim);
        String staleHold = hold(victim);
        // Due for the expiry job: if a refused job call ran anyway, it would free this hold.
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid",
                staleHold);
        try {
            Map<String, String> before = MutatingEndpointsFuzzTest.ledgerDigest();
            SoftAssertions softly = new SoftAssertions();
            for (Map.Entry<String, Function<String, String>> bad : badTokens().entrySet()) {
                for (Call call : userCalls(victimHold)) {
                    expect(softly, call, bad.getKey(), send(call, bad.getValue().apply(victim)), 401);
                }
                for (Call call : adminCalls(victim)) {
                    expect(softly, call, bad.getKey(), send(call, bad.getValue().apply("admin-" + UUID.randomUUID())), 401);
                }
            }
            for (Call call : adminCalls(victim)) {
                expect(softly, call, "a user's token", send(call, Tokens.user("user-" + UUID.randomUUID())), 403);
                // Even the user the call names gets nothing from naming themselves.
                expect(softly, call, "the target's own token", send(call, Tokens.user(victim)), 403);
            }
            softly.assertAll();
            assertThat(MutatingEndpointsFuzzTest.ledgerDigest()).isEqualTo(before);
        } finally {
            Api.as(victim).post("/api/credit/reservations/" + staleHold + "/release").then().statusCode(200);
        }
    }

    @Test
    void aUsersTokenNeverReachesAnotherUsersHolds() throws Exception {
        String alice = Api.openAccount("alice");
        String bob = Api.openAccount("bob");
        String aliceHold = hold(alice);
        String aliceBefore = LedgerProbe.snapshot(alice);
        Map<String, String> before = MutatingEndpointsFuzzTest.ledgerDigest();

        for (String id : List.of(aliceHold, aliceHold.toUpperCase())) {
            Api.as(bob).contentType(ContentType.JSON).body(SETTLE_BODY).post("/api/credit/reservations/" + id + "/settle")
                    .then().statusCode(404).contentType("application/problem+json");
            Api.as(bob).post("/api/credit/reservations/" + id + "/release")
                    .then().statusCode(404).contentType("application/problem+json");
        }
        assertThat(MutatingEndpointsFuzzTest.ledgerDigest()).isEqualTo(before);

        // Bob using Alice's idempotency key makes a hold of his own, never a replay of hers.
        String aliceKey = "shared-" + UUID.randomUUID();
        String aliceSecond = Api.as(alice).contentType(ContentType.JSON).header("Idempotency-Key", aliceKey).body(HOLD_BODY)
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        aliceBefore = LedgerProbe.snapshot(alice);
        String bobsOwn = Api.as(bob).contentType(ContentType.JSON).header("Idempotency-Key", aliceKey).body(HOLD_BODY)
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        assertThat(bobsOwn).isNotEqualTo(aliceSecond);
        assertThat(LedgerProbe.snapshot(alice)).isEqualTo(aliceBefore);
        Api.as(alice).post("/api/credit/reservations/" + aliceSecond + "/release").then().statusCode(200);
        Api.as(bob).post("/api/credit/reservations/" + bobsOwn + "/release").then().statusCode(200);
        Api.as(alice).post("/api/credit/reservations/" + aliceHold + "/release").then().statusCode(200);
    }

    static String hold(String user) {
        return Api.as(user).contentType(ContentType.JSON).header("Idempotency-Key", "hold-" + UUID.randomUUID())
                .body(HOLD_BODY).post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
    }

    static Response send(Call call, String bearer) {
        RequestSpecification request = given().header("Idempotency-Key", "k-" + UUID.randomUUID());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (call.body() != null) {
            request.contentType(ContentType.JSON).body(call.body());
        }
        return request.request(call.method(), call.path());
    }

    static void expect(SoftAssertions softly, Call call, String token, Response response, int status) {
        softly.assertThat(response.statusCode()).as("%s with %s", call, token).isEqualTo(status);
        softly.assertThat(response.contentType()).as("%s with %s", call, token).startsWith("application/problem+json");
        if (status == 401) {
            softly.assertThat(response.header("WWW-Authenticate")).as("%s with %s", call, token).isEqualTo("Bearer");
        }
    }
}
