package dev.tollgate.jobs;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.AdjustableClock;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The monthly refresh across a month boundary, with the application's clock moved by the test. */
@QuarkusTest
class MonthlyRefreshTest {

    @Inject
    AdjustableClock clock;

    @Inject
    JobRunner jobs;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static Instant nextMonth() {
        return monthsAhead(1);
    }

    private static Instant monthsAhead(int months) {
        return YearMonth.now(ZoneOffset.UTC).plusMonths(months).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(5);
    }

    /**
     * An account on the plus plan (2,000,000 a month) that holds 1,800,000-odd of its monthly credits
     * in a reservation, then moves to the free plan (100,000 a month) and crosses the next refresh
     * with the hold still live. Answers the reservation's id.
     */
    private String holdAcrossADowngradingRefresh(String user) {
        LedgerProbe.execute("UPDATE credit_account SET plan = 'plus' WHERE user_id = ?", user);
        clock.set(monthsAhead(1));
        jobs.run("refresh");
        assertThat(LedgerProbe.buckets(user)).containsExactly(2_000_000, 0, 0);
        String holdId = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "across")
                .body("{\"model\":\"claude-sonnet-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":1000000}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        long held = LedgerProbe.buckets(user)[2];
        assertThat(held).isGreaterThan(1_800_000);
        LedgerProbe.execute("UPDATE credit_account SET plan = 'free' WHERE user_id = ?", user);
        clock.set(monthsAhead(2));
        jobs.run("refresh");
        // The new period's own credits are the free allowance, whole; the old ones the hold was placed
        // with are held over beside them.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 + held, 0, held);
        assertThat(LedgerProbe.count("SELECT held_over_millicredits FROM credit_account WHERE user_id = ?", user))
                .isEqualTo(held);
        return holdId;
    }

    @Test
    void creditsHeldAcrossARefreshLapseWhenTheHoldIsReleased() {
        String user = openAccount("refresh-across");
        String holdId = holdAcrossADowngradingRefresh(user);

        as(user).post("/api/credit/reservations/" + holdId + "/release").then().statusCode(200);

        // Without the lapse, the user would keep the old period's 1.8 million monthly credits.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.count("SELECT held_over_millicredits FROM credit_account WHERE user_id = ?", user)).isZero();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'LAPSE' "
                + "AND monthly_delta < 0 AND (metadata ->> 'lapsedMillicredits')::bigint = -monthly_delta", user)).isEqualTo(1);
        LedgerProbe.assertBalanced(user);
    }

    @Test
    void aHoldSettledAfterTheRefreshIsPaidWithTheCreditsItHeldAndTheRestLapses() {
        String user = openAccount("refresh-across");
        String holdId = holdAcrossADowngradingRefresh(user);

        // 200,000 output tokens of claude-sonnet-4 at 1,500 credits per 1M: 300,000 millicredits.
        as(user).contentType(ContentType.JSON)
                .body("{\"usage\":{\"uncachedInputTokens\":0,\"outputTokens\":200000}}")
                .post("/api/credit/reservations/" + holdId + "/settle").then().statusCode(200)
                .body("chargedMillicredits", equalTo(300_000));

        // The new period's allowance is whole: the call was paid with last period's held credits.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        LedgerProbe.assertBalanced(user);
    }

    @Test
    void theNewAllowanceCanBeSpentWhileTheHoldLivesButTheHeldOverCreditsCannot() {
        String user = openAccount("refresh-across");
        holdAcrossADowngradingRefresh(user);
        as(user).get("/api/credit/balance").then().statusCode(200).body("availableMillicredits", equalTo(100_000));
        // 100,000 output tokens of gpt-4o: the whole new allowance.
        charge(user, "after-refresh", chargeBody("gpt-4o", 0, 100_000)).then().statusCode(201);
        charge(user, "one-more", chargeBody("gpt-4o", 0, 10)).then().statusCode(402);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void withARolloverPlanHeldOverCreditsLeftUnusedRollOverUpToTheCapInsteadOfLapsing() {
        String user = openAccount("refresh-across-pro");
        String holdId = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "across")
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":50000}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        long held = LedgerProbe.buckets(user)[2];
        LedgerProbe.execute("UPDATE credit_account SET plan = 'pro' WHERE user_id = ?", user);
        clock.set(nextMonth());
        jobs.run("refresh");
        // Rolled over: the 100,000 - held no hold holds, plus 10,000,000; held over: what the hold holds.
        assertThat(LedgerProbe.buckets(user)).containsExactly(10_100_000, 0, held);
        as(user).post("/api/credit/reservations/" + holdId + "/release").then().statusCode(200);
        // Released, the held credits roll over as they would have without the hold (under the cap).
        assertThat(LedgerProbe.buckets(user)).containsExactly(10_100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    private static long refreshRows(String user) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'REFRESH'", user);
    }

    @Test
    void twoConcurrentJobsAndABalanceReadGrantEachAccountOncePerPeriod() throws Exception {
        String spender = openAccount("refresh");
        String idle = openAccount("refresh");
        charge(spender, "spend", chargeBody("gpt-4o", 0, 30_000)).then().statusCode(201);
        jobs.run("refresh");
        assertThat(refreshRows(spender)).as("nothing is due within the period").isZero();

        clock.set(nextMonth());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> runs = new ArrayList<>();
            runs.add(pool.submit(() -> jobs.run("refresh")));
            runs.add(pool.submit(() -> jobs.run("refresh")));
            runs.add(pool.submit(() -> as(spender).get("/api/credit/balance").then().statusCode(200)));
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        jobs.run("refresh");
        as(spender).get("/api/credit/balance").then().statusCode(200)
                .body("monthlyMillicredits", equalTo(100_000))
                .body("periodStart", equalTo(nextMonth().minusSeconds(5).toString()));

        for (String user : List.of(spender, idle)) {
            assertThat(refreshRows(user)).isEqualTo(1);
            assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_refresh_history WHERE user_id = ?", user)).isEqualTo(1);
            assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
            assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        }
        assertThat(LedgerProbe.count("SELECT previous_monthly_millicredits FROM credit_refresh_history WHERE user_id = ?", spender))
                .isEqualTo(70_000);
    }

    @Test
    void aBalanceReadRefreshesLazilyBeforeTheJobAndTheJobThenSkipsIt() {
        String user = openAccount("refresh-lazy");
        charge(user, "spend", chargeBody("gpt-4o", 0, 99_000)).then().statusCode(201);
        clock.set(nextMonth());
        as(user).get("/api/credit/balance").then().statusCode(200).body("availableMillicredits", equalTo(100_000));
        jobs.run("refresh");
        assertThat(refreshRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(100_000, 0, 0);
    }

    @Test
    void aPlanWithARolloverCapKeepsUnusedCreditsUpToTheCap() {
        String user = openAccount("refresh-pro");
        LedgerProbe.execute("UPDATE credit_account SET plan = 'pro' WHERE user_id = ?", user);
        clock.set(nextMonth());
        jobs.run("refresh");
        // 100,000 unused + 10,000,000 allowance, capped at 15,000,000: 10,100,000.
        assertThat(LedgerProbe.buckets(user)).containsExactly(10_100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void liveHoldsSurviveTheRefreshAndPurchasedCreditsAreUntouched() {
        String user = openAccount("refresh-holds");
        as(user).contentType(ContentType.JSON).header("Idempotency-Key", "hold")
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":50000}")
                .post("/api/credit/reservations").then().statusCode(201);
        long reserved = LedgerProbe.buckets(user)[2];
        clock.set(nextMonth());
        jobs.run("refresh");
        // The hold keeps the old credits it was placed with (held over); the new allowance is whole.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 + reserved, 0, reserved);
        as(user).get("/api/credit/balance").then().statusCode(200).body("availableMillicredits", equalTo(100_000));
        LedgerProbe.assertBalanced(user);
    }
}
