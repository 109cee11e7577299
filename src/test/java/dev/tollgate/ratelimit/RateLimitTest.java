package dev.tollgate.ratelimit;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chargeBody;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.JsonShape;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The limits as a client sees them: RateLimit headers on every answer of the API, 429 problem
 * details with Retry-After past the limit, tiers counted apart, a user by their token and plan, a
 * request without a valid token by its client IP, and a refused request changes nothing.
 */
@QuarkusTest
@TestProfile(LowLimits.class)
class RateLimitTest {

    static final String RATE_LIMITED = "https://tollgate.dev/problems/rate-limited";

    /** A new user on the throttled plan (the account is opened first, then moved to the plan). */
    static String throttledUser() {
        String user = Api.openAccount("throttled");
        LedgerProbe.execute("UPDATE credit_account SET plan = ? WHERE user_id = ?", LowLimits.PLAN, user);
        return user;
    }

    static String newClientIp() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "198.51." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
    }

    @Test
    void everyAnswerCarriesTheHeadersAndTheRequestPastTheLimitIs429() {
        String user = throttledUser();
        for (int i = 1; i <= LowLimits.GENERAL; i++) {
            as(user).get("/api/credit/balance").then().statusCode(200)
                    .header("RateLimit-Limit", String.valueOf(LowLimits.GENERAL))
                    .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - i))
                    .header("RateLimit-Reset", Integer::parseInt, greaterThan(0))
                    .header("RateLimit-Policy", LowLimits.GENERAL + ";w=60");
        }
        Response refused = as(user).get("/api/credit/balance");
        refused.then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", Integer::parseInt, greaterThan(0))
                .header("Retry-After", Integer::parseInt, lessThanOrEqualTo(60 / LowLimits.GENERAL))
                .header("RateLimit-Limit", String.valueOf(LowLimits.GENERAL))
                .header("RateLimit-Remaining", "0")
                .body("type", equalTo(RATE_LIMITED))
                .body("status", equalTo(429))
                .body("tier", equalTo("general"))
                .body("limit", equalTo(LowLimits.GENERAL));
        // The documented example (docs/problems.md, the OpenAPI document) has the members of this answer.
        assertThat(JsonShape.of(refused.asString())).isEqualTo(JsonShape.of(ProblemType.RATE_LIMITED.example()));
    }

    @Test
    void aRefusedChargeOrReservationChangesNothingAndTheOtherTiersStillAnswer() {
        String user = throttledUser();
        for (int i = 0; i < LowLimits.MESSAGES; i++) {
            Api.charge(user, "rl-" + i, chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(201)
                    .header("RateLimit-Limit", String.valueOf(LowLimits.MESSAGES));
        }
        String before = LedgerProbe.snapshot(user);
        Api.charge(user, "rl-over", chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(429)
                .body("tier", equalTo("messages"))
                .header("Retry-After", Integer::parseInt, greaterThan(0));
        // A new reservation records a message too.
        reserve(user, "rl-hold").then().statusCode(429).body("tier", equalTo("messages"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        as(user).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Limit", String.valueOf(LowLimits.GENERAL));
    }

    @Test
    void aSignedInCallerRefusedBeforeTheResourceIsCountedToo() {
        String user = throttledUser();
        // A role check (403), an unknown path (404), a method the path does not have (405).
        as(user).get("/api/admin/accounts/" + user).then().statusCode(403)
                .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - 1));
        as(user).get("/api/credit/no-such-function").then().statusCode(404)
                .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - 2));
        as(user).delete("/api/credit/balance").then().statusCode(405)
                .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - 3));
        for (int i = 4; i <= LowLimits.GENERAL; i++) {
            as(user).get("/api/credit/balance").then().statusCode(200)
                    .header("RateLimit-Remaining", String.valueOf(LowLimits.GENERAL - i));
        }
        as(user).get("/api/credit/balance").then().statusCode(429);
        // Past the limit, a request refused before the resource keeps its own answer.
        as(user).get("/api/admin/accounts/" + user).then().statusCode(403).header("RateLimit-Remaining", "0");
    }

    @Test
    void theChatCallAReservationAndAChargeShareOneAllowanceOfMessages() {
        String user = throttledUser();
        // Refused bodies count as well: a request is counted before it is read.
        as(user).contentType(ContentType.JSON).body("{\"model\":\"gpt-4o-mini\"}").post("/v1/chat/completions")
                .then().statusCode(400)
                .header("RateLimit-Limit", String.valueOf(LowLimits.MESSAGES))
                .header("RateLimit-Remaining", String.valueOf(LowLimits.MESSAGES - 1));
        reserve(user, "shared-hold").then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(LowLimits.MESSAGES))
                .header("RateLimit-Remaining", String.valueOf(LowLimits.MESSAGES - 2));
        Api.charge(user, "shared-charge", chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(429)
                .body("type", equalTo(RATE_LIMITED))
                .body("tier", equalTo("messages"))
                .body("limit", equalTo(LowLimits.MESSAGES));
        // Settle and release finish a message already counted: general.
        as(user).post("/api/credit/reservations/" + UUID.randomUUID() + "/release").then().statusCode(404)
                .header("RateLimit-Limit", String.valueOf(LowLimits.GENERAL));
    }

    @Test
    void adminAdjustmentsAreSensitive() {
        String admin = Api.newUser("rl-admin");
        given().auth().oauth2(Tokens.admin(admin)).get("/api/credit/balance").then().statusCode(200);
        LedgerProbe.execute("UPDATE credit_account SET plan = ? WHERE user_id = ?", LowLimits.PLAN, admin);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_account WHERE user_id = ? AND plan = '"
                + LowLimits.PLAN + "'", admin)).isOne();
        String user = Api.openAccount("rl-adjusted");
        for (int i = 0; i < LowLimits.SENSITIVE; i++) {
            adjust(admin, user, "rl-adjust-" + i).then().statusCode(201)
                    .header("RateLimit-Limit", String.valueOf(LowLimits.SENSITIVE))
                    .header("RateLimit-Policy", LowLimits.SENSITIVE + ";w=300");
        }
        String before = LedgerProbe.snapshot(user);
        adjust(admin, user, "rl-adjust-over").then().statusCode(429)
                .body("type", equalTo(RATE_LIMITED))
                .body("tier", equalTo("sensitive"))
                .header("Retry-After", Integer::parseInt, greaterThan(0));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        // The admin's messages are a tier of their own.
        given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", "rl-admin-charge")
                .body(chargeBody("gpt-4o-mini", 10, 10)).post("/api/credit/charges").then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(LowLimits.MESSAGES));
    }

    static Response reserve(String user, String key) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":100}")
                .post("/api/credit/reservations");
    }

    static Response adjust(String admin, String user, String key) {
        return given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":1000,"
                        + "\"reason\":\"rate limit test\"}")
                .post("/api/admin/credit/adjustments");
    }

    @Test
    void usersAreCountedApartAndByTheirPlan() {
        String throttled = throttledUser();
        for (int i = 0; i <= LowLimits.GENERAL; i++) {
            as(throttled).get("/api/credit/balance");
        }
        as(throttled).get("/api/credit/balance").then().statusCode(429);
        // Another user from the same client IP, on the default plan, has the base limits.
        as(Api.newUser("free")).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Limit", String.valueOf(TollgateTestResources.GENEROUS_LIMIT));
    }

    @Test
    void requestsWithoutAValidTokenAreCountedByClientIp() {
        String ip = newClientIp();
        for (int i = 0; i < LowLimits.ANONYMOUS; i++) {
            // No token, then bad tokens: all count against the same client IP.
            var request = given().header("X-Forwarded-For", ip);
            if (i == 1) {
                request.auth().oauth2(Tokens.expired("someone"));
            } else if (i == 2) {
                request.auth().oauth2(Tokens.unsigned("someone"));
            }
            request.get("/api/credit/balance").then().statusCode(401)
                    .header("RateLimit-Remaining", String.valueOf(LowLimits.ANONYMOUS - 1 - i));
        }
        // Past the limit a request that authentication refuses keeps its 401 (a client with an expired
        // token must be told to fetch a fresh one), counted all the same.
        for (String token : new String[] { null, Tokens.expired("someone"), Tokens.unsigned("someone") }) {
            var request = given().header("X-Forwarded-For", ip);
            if (token != null) {
                request.auth().oauth2(token);
            }
            request.get("/api/credit/balance").then().statusCode(401)
                    .contentType("application/problem+json")
                    .header("RateLimit-Remaining", "0");
        }
        // Another client is not affected, nor is a user with a valid token behind the same IP.
        given().header("X-Forwarded-For", newClientIp()).get("/api/credit/balance").then().statusCode(401)
                .header("RateLimit-Remaining", String.valueOf(LowLimits.ANONYMOUS - 1));
        given().header("X-Forwarded-For", ip).auth().oauth2(Tokens.user(Api.newUser("behind-nat")))
                .get("/api/credit/balance").then().statusCode(200);
    }

    @Test
    void stripesDeliveriesDoNotShareTheAnonymousBudgetOfTheApi() {
        String ip = newClientIp();
        for (int i = 0; i < LowLimits.ANONYMOUS; i++) {
            given().header("X-Forwarded-For", ip).get("/api/credit/balance").then().statusCode(401);
        }
        given().header("X-Forwarded-For", ip).get("/api/credit/balance").then().header("RateLimit-Remaining", "0");
        // Purchases are off in this profile: the webhook answers 404, but is counted in its own tier.
        for (int i = 0; i < LowLimits.ANONYMOUS + 2; i++) {
            given().header("X-Forwarded-For", ip).contentType("application/json").header("Stripe-Signature", "t=1,v1=00")
                    .body("{}").post("/api/webhooks/stripe").then().statusCode(404)
                    .header("RateLimit-Limit", String.valueOf(TollgateTestResources.GENEROUS_LIMIT));
        }
    }

    @Test
    void pathsOutsideTheApiAreNotLimited() {
        String ip = newClientIp();
        for (int i = 0; i < LowLimits.ANONYMOUS + 2; i++) {
            Response page = given().header("X-Forwarded-For", ip).get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.header("RateLimit-Limit")).isNull();
        }
    }

    @Test
    void theAuditRowOfACallBehindATrustedProxyKeepsTheForwardedClientIp() {
        String user = Api.openAccount("proxied");
        String ip = newClientIp();
        assertThat(AuditOrigin.ofCharge(user, "via-proxy", "proxied-client/2.0", ip)).isEqualTo(ip + " proxied-client/2.0");
    }

    @Test
    void forgedLeftmostForwardedEntriesDoNotOpenNewBuckets() {
        String ip = newClientIp();
        for (int i = 0; i < LowLimits.ANONYMOUS; i++) {
            // A client that writes a new address of its own into X-Forwarded-For each time, behind an appending proxy.
            given().header("X-Forwarded-For", newClientIp() + ", " + ip).get("/api/credit/balance").then()
                    .statusCode(401)
                    .header("RateLimit-Remaining", String.valueOf(LowLimits.ANONYMOUS - 1 - i));
        }
        // The same client through a chain of trusted proxies (10.0.0.0/8) is still the same bucket.
        given().header("X-Forwarded-For", newClientIp() + ", " + ip + ", 10.4.0.7").get("/api/credit/balance")
                .then().statusCode(401).header("RateLimit-Remaining", "0");
    }

    @Test
    void theAuditRowKeepsTheRightmostAddressThatIsNotATrustedProxy() {
        String user = Api.openAccount("proxied-chain");
        String ip = newClientIp();
        assertThat(AuditOrigin.ofCharge(user, "via-chain", "chain/1.0", "192.0.2.66, " + ip + ", 10.4.0.7"))
                .isEqualTo(ip + " chain/1.0");
        // Two header lines are one list: the client's own line comes first and is never believed.
        assertThat(AuditOrigin.ofCharge(user, "via-two-lines", "chain/1.0", "192.0.2.67", ip)).isEqualTo(ip + " chain/1.0");
    }

    @Test
    void rejectionsAreCountedPerTier() {
        String user = throttledUser();
        double before = RejectionMetric.read("general");
        for (int i = 0; i <= LowLimits.GENERAL + 1; i++) {
            as(user).get("/api/credit/balance");
        }
        assertThat(RejectionMetric.read("general")).isEqualTo(before + 2);
    }
}
