package dev.tollgate.ratelimit;

import static dev.tollgate.ratelimit.RateLimitTest.RATE_LIMITED;
import static dev.tollgate.ratelimit.RateLimitTest.adjust;
import static dev.tollgate.ratelimit.RateLimitTest.reserve;
import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chargeBody;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.AdjustableClock;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.TollgateTestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The tiers at the limits the application ships: one user's messages — metered chat calls, new
 * reservations, charges — share 30 a minute, whichever way the chat app meters them; admin
 * adjustments are 10 per 5 minutes; a plan's override of the messages tier applies under the tier's
 * name and under its former one. The application's clock is held still during each test, so that
 * "within a minute" is exact (see {@link ShippedTierLimits}).
 */
@QuarkusTest
@TestProfile(ShippedTierLimits.class)
class MessagesTierTest {

    static final String HOLD_QUERY = "SELECT COUNT(*) FROM credit_reservation WHERE user_id = ?";

    @Inject
    AdjustableClock clock;

    @BeforeEach
    void holdTheClock() {
        clock.set(Instant.now());
    }

    @AfterEach
    void releaseTheClock() {
        clock.reset();
    }

    @Test
    void thirtyReservationsAMinutePassAndThe31stIs429() {
        String user = Api.openAccount("thirty");
        for (int i = 1; i <= ShippedTierLimits.MESSAGES; i++) {
            reserve(user, "hold-" + i).then().statusCode(201)
                    .header("RateLimit-Limit", String.valueOf(ShippedTierLimits.MESSAGES))
                    .header("RateLimit-Remaining", String.valueOf(ShippedTierLimits.MESSAGES - i))
                    .header("RateLimit-Policy", ShippedTierLimits.MESSAGES + ";w=60");
        }
        assertThat(LedgerProbe.count(HOLD_QUERY, user)).isEqualTo(ShippedTierLimits.MESSAGES);
        double rejectionsBefore = RejectionMetric.read("messages");

        reserve(user, "hold-31").then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "2")
                .header("RateLimit-Remaining", "0")
                .body("type", equalTo(RATE_LIMITED))
                .body("status", equalTo(429))
                .body("tier", equalTo("messages"))
                .body("limit", equalTo(ShippedTierLimits.MESSAGES))
                .body("periodSeconds", equalTo(60))
                .body("retryAfterSeconds", equalTo(2));
        assertThat(LedgerProbe.count(HOLD_QUERY, user)).isEqualTo(ShippedTierLimits.MESSAGES);
        assertThat(RejectionMetric.read("messages")).isEqualTo(rejectionsBefore + 1);
        // Reads are another tier.
        as(user).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Limit", String.valueOf(TollgateTestResources.GENEROUS_LIMIT));

        // One message is freed every 60 s / 30 = 2 s.
        clock.set(clock.instant().plus(Duration.ofMillis(1_999)));
        reserve(user, "hold-31").then().statusCode(429).header("Retry-After", "1");
        clock.set(clock.instant().plusMillis(1));
        reserve(user, "hold-31").then().statusCode(201).header("RateLimit-Remaining", "0");
    }

    @Test
    void chatCallsReservationsAndChargesShareTheThirty() {
        String user = Api.openAccount("shared");
        for (int i = 1; i <= ShippedTierLimits.MESSAGES; i++) {
            if (i % 2 == 0) {
                reserve(user, "hold-" + i).then().statusCode(201);
            } else {
                Api.charge(user, "charge-" + i, chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(201)
                        .header("RateLimit-Remaining", String.valueOf(ShippedTierLimits.MESSAGES - i));
            }
        }
        String before = LedgerProbe.snapshot(user);
        as(user).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o-mini", "hi", 20, false))
                .post("/v1/chat/completions").then().statusCode(429)
                .header("Retry-After", "2")
                .body("tier", equalTo("messages"));
        Api.charge(user, "charge-31", chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(429)
                .body("tier", equalTo("messages"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void theSensitiveTierRefusesThe11thAdjustmentWithinFiveMinutes() {
        String admin = Api.newUser("sensitive-admin");
        String user = Api.openAccount("sensitive-target");
        for (int i = 1; i <= ShippedTierLimits.SENSITIVE; i++) {
            adjust(admin, user, "adjust-" + i).then().statusCode(201)
                    .header("RateLimit-Limit", String.valueOf(ShippedTierLimits.SENSITIVE))
                    .header("RateLimit-Remaining", String.valueOf(ShippedTierLimits.SENSITIVE - i))
                    .header("RateLimit-Policy", ShippedTierLimits.SENSITIVE + ";w=300");
        }
        String before = LedgerProbe.snapshot(user);
        adjust(admin, user, "adjust-11").then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "30")
                .body("type", equalTo(RATE_LIMITED))
                .body("tier", equalTo("sensitive"))
                .body("limit", equalTo(ShippedTierLimits.SENSITIVE))
                .body("periodSeconds", equalTo(300));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        // Still refused until one adjustment is freed, 5 min / 10 = 30 s later.
        clock.set(clock.instant().plusSeconds(29));
        adjust(admin, user, "adjust-11").then().statusCode(429).body("tier", equalTo("sensitive"));
        // The admin's own messages are not touched by the adjustments.
        given().auth().oauth2(Tokens.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", "admin-charge")
                .body(chargeBody("gpt-4o-mini", 10, 10)).post("/api/credit/charges").then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(ShippedTierLimits.MESSAGES))
                .header("RateLimit-Remaining", String.valueOf(ShippedTierLimits.MESSAGES - 1));
    }

    @Test
    void aPlansOverrideOfTheMessagesTierAppliesUnderEitherName() {
        String roomy = userOnPlan("roomy", ShippedTierLimits.ROOMY_PLAN);
        reserve(roomy, "roomy-hold").then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(ShippedTierLimits.ROOMY_MESSAGES))
                .header("RateLimit-Policy", ShippedTierLimits.ROOMY_MESSAGES + ";w=60");
        String legacy = userOnPlan("legacy", ShippedTierLimits.LEGACY_PLAN);
        Api.charge(legacy, "legacy-charge", chargeBody("gpt-4o-mini", 100, 50)).then().statusCode(201)
                .header("RateLimit-Limit", String.valueOf(ShippedTierLimits.LEGACY_MESSAGES))
                .header("RateLimit-Policy", ShippedTierLimits.LEGACY_MESSAGES + ";w=120");
        for (int i = 2; i <= ShippedTierLimits.LEGACY_MESSAGES; i++) {
            reserve(legacy, "legacy-hold-" + i).then().statusCode(201);
        }
        reserve(legacy, "legacy-over").then().statusCode(429)
                .body("tier", equalTo("messages"))
                .body("limit", equalTo(ShippedTierLimits.LEGACY_MESSAGES))
                .body("periodSeconds", equalTo(120));
        // The other tiers of the plan keep the base limits.
        as(legacy).get("/api/credit/balance").then().statusCode(200)
                .header("RateLimit-Limit", String.valueOf(TollgateTestResources.GENEROUS_LIMIT));
    }

    /** A new user whose account is on the plan (opened first, then moved). */
    static String userOnPlan(String prefix, String plan) {
        String user = Api.openAccount(prefix);
        LedgerProbe.execute("UPDATE credit_account SET plan = ? WHERE user_id = ?", plan, user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_account WHERE user_id = ? AND plan = '" + plan + "'",
                user)).isOne();
        return user;
    }
}
