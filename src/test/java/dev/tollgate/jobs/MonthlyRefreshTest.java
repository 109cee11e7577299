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
        return YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(5);
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
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, reserved);
        assertThat(LedgerProbe.negativePoints(user)).isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }
}
