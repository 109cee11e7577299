package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApi.adjust;
import static dev.tollgate.admin.AdminApi.adjustment;
import static dev.tollgate.admin.AdminApi.asAdmin;
import static dev.tollgate.admin.AdminApi.newAdmin;
import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.math.BigDecimal;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** {@code GET /api/admin/accounts/{userId}}: buckets, plan, period, latest ledger rows and live holds; never opens an account. */
@QuarkusTest
class AdminAccountTest {

    private final String admin = newAdmin();

    @Test
    void anUnknownUserIs404AndNoAccountIsOpened() {
        String user = "nobody-" + UUID.randomUUID();
        asAdmin(admin).get("/api/admin/accounts/" + user)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/account-not-found"))
                .body("status", equalTo(404));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo("no account audit=0 usage=0 holds=0");
    }

    @Test
    void anAccountWithItsLatestRowsAndLiveHolds() {
        String user = openAccount("account");
        adjust(admin, "acc-" + UUID.randomUUID(), adjustment(user, "purchased", 2_500, "support ticket 7"))
                .then().statusCode(201);
        Response hold = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "hold-" + UUID.randomUUID())
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":100}")
                .post("/api/credit/reservations");
        hold.then().statusCode(201);
        int held = hold.path("heldMillicredits");
        String holdId = hold.path("reservationId");

        asAdmin(admin).get("/api/admin/accounts/" + user)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("userId", equalTo(user))
                .body("plan", equalTo("free"))
                .body("monthlyMillicredits", equalTo(100_000))
                .body("purchasedMillicredits", equalTo(2_500))
                .body("reservedMillicredits", equalTo(held))
                .body("availableMillicredits", equalTo(102_500 - held))
                .body("availableCredits", equalTo(BigDecimal.valueOf(102_500 - held, 3)))
                .body("periodStart", notNullValue())
                .body("nextRefreshAt", notNullValue())
                .body("createdAt", notNullValue())
                .body("recentEntries.operation", contains("HOLD", "ADJUST", "GRANT"))
                .body("recentEntries[1].actor", equalTo("admin:" + admin))
                .body("recentEntries[1].metadata.reason", equalTo("support ticket 7"))
                .body("liveHoldCount", equalTo(1))
                .body("liveHoldsMillicredits", equalTo(held))
                .body("liveHolds", hasSize(1))
                .body("liveHolds[0].reservationId", equalTo(holdId))
                .body("liveHolds[0].amountMillicredits", equalTo(held))
                .body("liveHolds[0].model", equalTo("gpt-4o"))
                .body("liveHolds[0].pastExpiry", equalTo(false))
                .body("liveHolds[0].chargedAtExpiry", equalTo(false));

        as(user).post("/api/credit/reservations/" + holdId + "/release").then().statusCode(200);
        asAdmin(admin).get("/api/admin/accounts/" + user)
                .then().statusCode(200)
                .body("reservedMillicredits", equalTo(0))
                .body("liveHoldCount", equalTo(0))
                .body("liveHolds", empty())
                .body("recentEntries[0].operation", equalTo("RELEASE"));
    }

    @Test
    void compensationsNotAppliedAreListedWithTheirReasonAmountAndError() {
        // A compensation the batch gave up on moves no credits: the admin view is where an operator
        // finds it, with what it was for and why it failed. Applied ones are not listed.
        String user = openAccount("account-compensations");
        LedgerProbe.execute("""
                INSERT INTO credit_compensation (user_id, kind, amount_millicredits, status, attempts, next_attempt_at,
                       idempotency_key, reason, last_error, created_at, updated_at, usage_id)
                VALUES (?, 'CHARGE', 4200, 'FAILED', 5, now(), 'failed-' || ?, 'settle failed after the answer was delivered',
                        'https://tollgate.dev/problems/insufficient-credits: not enough credits', now() - interval '2 seconds', now(),
                        4711),
                       (?, 'CHARGE', 300, 'PENDING', 1, now(), 'pending-' || ?, 'settle failed after the answer was delivered',
                        'the database system is starting up', now() - interval '1 second', now(), NULL),
                       (?, 'CHARGE', 700, 'APPLIED', 0, now(), 'applied-' || ?, 'settle failed after the answer was delivered',
                        NULL, now(), now(), NULL)""", user, user, user, user, user, user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ?", user)).isEqualTo(3);

        asAdmin(admin).get("/api/admin/accounts/" + user)
                .then().statusCode(200)
                .body("failedCompensationCount", equalTo(1))
                .body("failedCompensationsMillicredits", equalTo(4200))
                .body("compensations", hasSize(2))
                .body("compensations.status", contains("PENDING", "FAILED"))
                .body("compensations[1].kind", equalTo("CHARGE"))
                .body("compensations[1].usageId", equalTo(4711))
                .body("compensations[1].amountMillicredits", equalTo(4200))
                .body("compensations[1].reason", equalTo("settle failed after the answer was delivered"))
                .body("compensations[1].lastError", equalTo("https://tollgate.dev/problems/insufficient-credits: not enough credits"))
                .body("compensations[1].attempts", equalTo(5))
                .body("compensations[1].id", notNullValue());
    }

    @Test
    void atMostTwentyLedgerRowsNewestFirst() {
        String user = openAccount("account");
        for (int i = 0; i < 21; i++) {
            adjust(admin, "many-" + i + "-" + UUID.randomUUID(), adjustment(user, "purchased", i + 1, "row " + i))
                    .then().statusCode(201);
        }
        asAdmin(admin).get("/api/admin/accounts/" + user)
                .then().statusCode(200)
                .body("recentEntries", hasSize(20))
                .body("recentEntries[0].metadata.reason", equalTo("row 20"))
                .body("recentEntries[19].metadata.reason", equalTo("row 1"));
    }

    @Test
    void aMalformedUserIdIs400() {
        asAdmin(admin).get("/api/admin/accounts/" + "u".repeat(256))
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/invalid-request"));
        asAdmin(admin).urlEncodingEnabled(false).get("/api/admin/accounts/%20leading-space")
                .then().statusCode(400).contentType("application/problem+json");
    }
}
