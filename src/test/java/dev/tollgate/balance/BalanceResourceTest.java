package dev.tollgate.balance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.ledger.Hold;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.testing.LedgerFixture;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class BalanceResourceTest extends LedgerFixture {

    @Test
    void firstCallOpensTheAccountWithThePlanAllowanceAsALedgerGrant() {
        String user = "balance-" + UUID.randomUUID();

        given().auth().oauth2(Tokens.user(user))
                .when().get("/api/credit/balance")
                .then().statusCode(200)
                .body("plan", equalTo("free"))
                .body("monthlyMillicredits", equalTo(100_000))
                .body("purchasedMillicredits", equalTo(0))
                .body("reservedMillicredits", equalTo(0))
                .body("availableMillicredits", equalTo(100_000))
                .body("availableCredits", equalTo(100.0f))
                .body("warningLevel", equalTo("ok"))
                .body("thresholds.lowMillicredits", equalTo(20_000))
                .body("thresholds.criticalMillicredits", equalTo(5_000))
                .body("forecast.dailySpendMillicredits", equalTo(0))
                .body("forecast.depletesAt", nullValue())
                .body("forecast.beforeRefresh", equalTo(false));

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }

    @Test
    void secondCallDoesNotGrantAgain() {
        String user = "balance-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(Tokens.user(user)).get("/api/credit/balance").then().statusCode(200);
        }
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }

    /**
     * The forecast projects the net spend of the last 7 days: a charge, the settled part of a hold
     * (not the hold), minus a refund; not a charge 8 days old, nor a grant, which only adds to what
     * is available. All in the month after this one, on the application's clock.
     */
    @Test
    void theForecastProjectsTheNetSpendOfTheLastSevenDays() {
        String user = "balance-" + UUID.randomUUID();
        Instant periodStart = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant nextRefresh = periodStart.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
        Instant opened = periodStart.plus(Duration.ofDays(1)).plus(Duration.ofHours(12));
        Instant now = opened.plus(Duration.ofDays(8));

        clock.set(opened);
        tx(() -> ledger.ensureAccount(user));
        charge(user, 30_000, "old");
        clock.set(now);
        long usageId = 7_000_000_000L + Math.abs(user.hashCode());
        tx(() -> ledger.charge(user, Millicredits.of(20_000), keyed(user, "recent").withUsage(usageId)));
        Hold hold = tx(() -> ledger.hold(UUID.randomUUID(), user, Millicredits.of(10_000), "gpt-4o",
                now.plusSeconds(600), CALL, keyed(user, "held")));
        settle(user, hold, 8_000);
        refund(user, usageId, 7_000);
        // Precondition: the old charge is in the ledger, 8 days back.
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(6);

        // Net spent in the window: 20,000 + 8,000 - 7,000 = 21,000, 3,000 a day. Available:
        // 100,000 - 30,000 - 21,000 = 49,000, which lasts 49,000 x 7 days / 21,000 = 16 days 8 hours.
        JsonPath balance = balance(user);
        assertThat(balance.getLong("availableMillicredits")).isEqualTo(49_000);
        assertThat(balance.getLong("forecast.dailySpendMillicredits")).isEqualTo(3_000);
        assertThat(Instant.parse(balance.getString("forecast.depletesAt")))
                .isEqualTo(now.plus(Duration.ofDays(16)).plus(Duration.ofHours(8)));
        assertThat(Instant.parse(balance.getString("nextRefreshAt"))).isEqualTo(nextRefresh);
        assertThat(balance.getBoolean("forecast.beforeRefresh")).isTrue();

        // 50,000 granted: 99,000 last 33 days, past the refresh; the pace is the same.
        buy(user, 50_000);
        balance = balance(user);
        assertThat(balance.getLong("forecast.dailySpendMillicredits")).isEqualTo(3_000);
        assertThat(Instant.parse(balance.getString("forecast.depletesAt"))).isEqualTo(now.plus(Duration.ofDays(33)));
        assertThat(balance.getBoolean("forecast.beforeRefresh")).isFalse();
    }

    private static JsonPath balance(String user) {
        return given().auth().oauth2(Tokens.user(user)).get("/api/credit/balance").then().statusCode(200)
                .extract().jsonPath();
    }

}
