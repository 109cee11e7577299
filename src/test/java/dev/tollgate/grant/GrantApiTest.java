package dev.tollgate.grant;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.AdjustableClock;
import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Grants through the API: the plan's sign-up grant, {@code POST /api/admin/credit/grants} (applied,
 * replayed, refused with nothing changed), the lots in the balance, and the job that expires them.
 */
@QuarkusTest
@TestProfile(GrantApiTest.SignUpGrant.class)
class GrantApiTest {

    /** The free plan grants 25 credits at sign-up, for 30 days, spent before other grants (priority 10). */
    public static class SignUpGrant extends ConfigOverrides {
        public SignUpGrant() {
            super(Map.of("tollgate.plans.catalog.free.sign-up-grant.millicredits", "25000",
                    "tollgate.plans.catalog.free.sign-up-grant.expires-after", "P30D",
                    "tollgate.plans.catalog.free.sign-up-grant.priority", "10",
                    "tollgate.plans.catalog.free.sign-up-grant.reason", "welcome credits"));
        }
    }

    private static final String GRANTS = "/api/admin/credit/grants";
    private final String admin = "grant-admin-" + UUID.randomUUID();

    @Inject
    AdjustableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static String body(String user, long amount, Instant expiresAt, Integer priority, String reason) {
        return "{\"userId\":\"" + user + "\",\"amountMillicredits\":" + amount + ",\"expiresAt\":\"" + expiresAt + "\""
                + (priority == null ? "" : ",\"priority\":" + priority) + ",\"reason\":\"" + reason + "\"}";
    }

    private Response grant(String key, String body) {
        return given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(body).post(GRANTS);
    }

    @Test
    void aNewAccountStartsWithThePlansSignUpGrantBesideItsAllowance() {
        String user = openAccount("sign-up");
        as(user).get("/api/credit/balance").then().statusCode(200)
                .body("monthlyMillicredits", equalTo(100_000))
                .body("grantedMillicredits", equalTo(25_000))
                .body("availableMillicredits", equalTo(125_000))
                .body("grants", hasSize(1))
                .body("grants[0].remainingMillicredits", equalTo(25_000))
                .body("grants[0].priority", equalTo(10))
                .body("grants[0].reason", equalTo("welcome credits"));
        // Thirty days after the account opened (the lot is written a moment after the opening's clock read).
        assertThat(LedgerProbe.text("SELECT abs(extract(epoch FROM expires_at - granted_at) - 30 * 86400) < 5 FROM credit_grant_lot WHERE user_id = ?",
                user)).isEqualTo("t");
        assertThat(LedgerProbe.text("SELECT source FROM credit_grant_lot WHERE user_id = ?", user)).isEqualTo("plan:free");
        assertThat(LedgerProbe.lotViolations(user)).isZero();
    }

    @Test
    void anAdminGrantIsAppliedOnceAndShownInTheBalanceInSpendingOrder() {
        String user = openAccount("granted");
        Instant expires = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);
        String key = "welcome-" + UUID.randomUUID();
        String request = body(user, 500_000, expires, null, "Welcome credits");
        String lotId = grant(key, request).then().statusCode(201).contentType(ContentType.JSON)
                .header("Idempotent-Replayed", "false")
                .body("userId", equalTo(user))
                .body("amountMillicredits", equalTo(500_000))
                .body("expiresAt", equalTo(expires.toString()))
                .body("priority", equalTo(100))
                .body("actor", equalTo("admin:" + admin))
                .body("balance.grantedMillicredits", equalTo(525_000))
                .body("balance.availableMillicredits", equalTo(625_000))
                .body("idempotencyKey", equalTo(key))
                .extract().path("lotId");
        assertThat(lotId).isNotNull();

        grant(key, request).then().statusCode(201).header("Idempotent-Replayed", "true").body("lotId", equalTo(lotId));
        grant(key, body(user, 400_000, expires, null, "Welcome credits")).then().statusCode(409)
                .contentType("application/problem+json");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_grant_lot WHERE user_id = ?", user)).isEqualTo(2);

        as(user).get("/api/credit/balance").then().statusCode(200)
                .body("grants", hasSize(2))
                .body("grants[0].reason", equalTo("welcome credits"))
                .body("grants[1].id", equalTo(lotId))
                .body("grants[1].expiresAt", equalTo(expires.toString()));
        assertThat(LedgerProbe.text("SELECT metadata ->> 'reason' FROM credit_audit_log WHERE user_id = ? AND actor LIKE 'admin:%'",
                user)).isEqualTo("Welcome credits");
        assertThat(LedgerProbe.lotViolations(user)).isZero();
    }

    @Test
    void badGrantsAreRefusedWithAProblemAndChangeNothing() {
        String user = openAccount("bad-grant");
        String before = LedgerProbe.snapshot(user);
        Instant week = Instant.now().plus(Duration.ofDays(7));
        Map<String, String> refused = Map.ofEntries(
                Map.entry("zero", body(user, 0, week, null, "r")),
                Map.entry("negative", body(user, -5, week, null, "r")),
                Map.entry("beyond the maximum", body(user, GrantRequest.MAX_AMOUNT + 1, week, null, "r")),
                Map.entry("in the past", body(user, 1_000, Instant.now().minusSeconds(60), null, "r")),
                Map.entry("now-ish past", body(user, 1_000, Instant.now().minusMillis(1), null, "r")),
                Map.entry("beyond ten years", body(user, 1_000, Instant.now().plus(Duration.ofDays(3700)), null, "r")),
                Map.entry("negative priority", body(user, 1_000, week, -1, "r")),
                Map.entry("priority too large", body(user, 1_000, week, 1001, "r")),
                Map.entry("blank reason", body(user, 1_000, week, null, " ")),
                Map.entry("no expiry", "{\"userId\":\"" + user + "\",\"amountMillicredits\":1000,\"reason\":\"r\"}"),
                Map.entry("expiry not a time", "{\"userId\":\"" + user + "\",\"amountMillicredits\":1000,\"expiresAt\":\"tomorrow\",\"reason\":\"r\"}"),
                Map.entry("unknown field", "{\"userId\":\"" + user + "\",\"amountMillicredits\":1000,\"expiresAt\":\"" + week
                        + "\",\"reason\":\"r\",\"bucket\":\"purchased\"}"),
                Map.entry("no body", ""));
        refused.forEach((why, request) -> {
            int status = grant("bad-" + UUID.randomUUID(), request).then().contentType("application/problem+json")
                    .extract().statusCode();
            assertThat(status).as(why).isEqualTo(400);
        });
        given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).body(body(user, 1_000, week, null, "r"))
                .post(GRANTS).then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user(user)).contentType(ContentType.JSON).header("Idempotency-Key", "k")
                .body(body(user, 1_000, week, null, "r")).post(GRANTS).then().statusCode(403);
        given().auth().oauth2(Tokens.admin(user)).contentType(ContentType.JSON).header("Idempotency-Key", "k")
                .body(body(user, 1_000, week, null, "r")).post(GRANTS).then().statusCode(403)
                .contentType("application/problem+json");
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void theJobAnnouncesLotsThatExpireSoonThenExpiresThemAndTheBalanceNoLongerCountsThem() {
        // An endpoint that takes the grant events (never reachable: the events are read from the outbox).
        String endpoint = given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON)
                .header("Idempotency-Key", "hook-" + UUID.randomUUID())
                .body("{\"url\":\"http://127.0.0.1:9/grants\",\"eventTypes\":[\"grant.expiring\",\"grant.expired\"]}")
                .post("/api/admin/webhooks").then().statusCode(201).extract().path("id");
        try {
            expireAndAnnounce();
        } finally {
            given().auth().oauth2(Tokens.admin(admin)).header("Idempotency-Key", "unhook-" + UUID.randomUUID())
                    .delete("/api/admin/webhooks/" + endpoint).then().statusCode(org.hamcrest.Matchers.lessThan(300));
        }
    }

    private void expireAndAnnounce() {
        String user = openAccount("expiring");
        Instant expires = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        String lot = grant("short-" + UUID.randomUUID(), body(user, 40_000, expires, 5, "one-hour promo")).then()
                .statusCode(201).extract().path("lotId");
        as(user).get("/api/credit/balance").then().body("grantedMillicredits", equalTo(65_000));

        // Within the notice (3 days): announced once, however often the job runs.
        for (int run = 0; run < 2; run++) {
            given().auth().oauth2(Tokens.admin(admin)).post("/api/admin/jobs/expire-grants").then().statusCode(200);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_event WHERE user_id = ? AND type = 'grant.expiring'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.text("SELECT CAST(payload AS jsonb) -> 'data' ->> 'lotId' FROM webhook_event WHERE user_id = ? AND type = 'grant.expiring'",
                user)).isEqualTo(lot);

        clock.set(expires.plusSeconds(1));
        given().auth().oauth2(Tokens.admin(admin)).post("/api/admin/jobs/expire-grants").then().statusCode(200)
                .body("job", equalTo("expire-grants"))
                .body("status", equalTo("done"))
                .body("processed", equalTo(1))
                .body("failed", equalTo(0));
        as(user).get("/api/credit/balance").then().statusCode(200)
                .body("grantedMillicredits", equalTo(25_000))
                .body("availableMillicredits", equalTo(125_000))
                .body("grants", hasSize(1))
                .body("grants[0].reason", equalTo("welcome credits"));
        assertThat(LedgerProbe.text("SELECT granted_delta::text FROM credit_audit_log WHERE user_id = ? AND operation = 'GRANT_EXPIRY'",
                user)).isEqualTo("-40000");
        assertThat(LedgerProbe.text("SELECT expired_at FROM credit_grant_lot WHERE user_id = ? AND priority = 5", user))
                .isNotNull();
        assertThat(LedgerProbe.text("SELECT CAST(payload AS jsonb) -> 'data' ->> 'expiredMillicredits' FROM webhook_event WHERE user_id = ? AND type = 'grant.expired'",
                user)).isEqualTo("40000");
        assertThat(LedgerProbe.lotViolations(user)).isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }
}
