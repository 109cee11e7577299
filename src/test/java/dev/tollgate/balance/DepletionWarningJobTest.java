package dev.tollgate.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.jobs.JobRunner;
import dev.tollgate.ledger.Bucket;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.testing.LedgerFixture;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The job predict-depletion: the webhook {@code balance.depletion_predicted} fires once per
 * crossing (the credits run out, at the pace of the last 7 days, more than the configured 3 days
 * before the refresh), and is re-armed when the prediction no longer holds and at the refresh. On
 * the application's clock, in the months after this one; free plan (100 credits a month).
 */
@QuarkusTest
class DepletionWarningJobTest extends LedgerFixture {

    static final String TYPE = "balance.depletion_predicted";
    static final String ENDPOINT = "depletion-warning-test";

    @Inject
    JobRunner jobs;

    /** The first day of next month, 00:00 UTC: the period of the accounts opened here. */
    private final Instant period = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC)
            .toInstant();
    private final Instant nextPeriod = period.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();

    @BeforeEach
    void subscribe() {
        LedgerProbe.execute("""
                INSERT INTO webhook_endpoint (id, url, secret, event_types, enabled, description, created_at, updated_at)
                VALUES (?, 'https://receiver.invalid/hook', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{%s}', true, ?, now(), now())"""
                .formatted(TYPE), UUID.randomUUID(), ENDPOINT);
    }

    @AfterEach
    void unsubscribe() {
        LedgerProbe.execute("DELETE FROM webhook_endpoint WHERE description = ?", ENDPOINT);
    }

    @Test
    void firesOncePerCrossingAndIsReArmedWhenThePredictionNoLongerHoldsAndAtTheRefresh() throws Exception {
        String user = "depletion-" + UUID.randomUUID();
        Instant opened = period.plus(Duration.ofHours(36));
        clock.set(opened);
        tx(() -> ledger.ensureAccount(user));
        tx(() -> ledger.charge(user, Millicredits.of(60_000), Mutation.system("test")));

        // 40,000 left at 60,000 a week: they last 4 days 16 hours, far more than 3 days before the refresh.
        JobReport first = run();
        assertThat(first.status()).isEqualTo("done");
        assertThat(first.processed()).isPositive();
        assertThat(events(user)).isEqualTo(1);
        JsonNode data = new ObjectMapper().readTree(LedgerProbe.text(
                "SELECT payload FROM webhook_event WHERE user_id = ? AND type = '" + TYPE + "'", user)).get("data");
        assertThat(data.get("userId").asText()).isEqualTo(user);
        assertThat(Instant.parse(data.get("depletesAt").asText())).isEqualTo(opened.plus(Duration.ofHours(112)));
        assertThat(Instant.parse(data.get("nextRefreshAt").asText())).isEqualTo(nextPeriod);
        assertThat(data.get("availableMillicredits").asLong()).isEqualTo(40_000);
        assertThat(data.get("dailySpendMillicredits").asLong()).isEqualTo(60_000 / 7);
        assertThat(data.get("warningDays").asInt()).isEqualTo(3);
        assertThat(warnedPeriod(user)).isEqualTo(period.toString());

        // Still predicted: no second event.
        clock.set(opened.plus(Duration.ofHours(1)));
        run();
        assertThat(events(user)).isEqualTo(1);

        // 1,000 credits more last past the refresh: the prediction no longer holds, the warning is re-armed.
        tx(() -> ledger.grant(user, Bucket.PURCHASED, Millicredits.of(1_000_000), Mutation.system("test")));
        run();
        assertThat(warnedPeriod(user)).isNull();
        assertThat(events(user)).isEqualTo(1);

        // Spent again: the next crossing fires again.
        tx(() -> ledger.charge(user, Millicredits.of(1_000_000), Mutation.system("test")));
        run();
        assertThat(events(user)).isEqualTo(2);
        assertThat(warnedPeriod(user)).isEqualTo(period.toString());

        // Next period: the refresh gives the allowance back; spent at once, it is predicted again. The
        // warning of the last period does not hold this one back.
        Instant refreshed = nextPeriod.plus(Duration.ofHours(12));
        clock.set(refreshed);
        tx(() -> ledger.ensureAccount(user));
        tx(() -> ledger.charge(user, Millicredits.of(120_000), Mutation.system("test")));
        assertThat(warnedPeriod(user)).as("precondition: the warning of the last period is still there")
                .isEqualTo(period.toString());
        run();
        assertThat(events(user)).isEqualTo(3);
        assertThat(warnedPeriod(user)).isEqualTo(nextPeriod.toString());
    }

    @Test
    void anAccountThatStopsSpendingIsReArmedAndOneThatRunsOutJustBeforeTheRefreshIsNotWarned() {
        String stops = "depletion-stops-" + UUID.randomUUID();
        String late = "depletion-late-" + UUID.randomUUID();
        Instant opened = period.plus(Duration.ofHours(12));
        clock.set(opened);
        tx(() -> ledger.ensureAccount(stops));
        tx(() -> ledger.charge(stops, Millicredits.of(90_000), Mutation.system("test")));
        run();
        assertThat(warnedPeriod(stops)).isEqualTo(period.toString());

        // Eight days on, nothing spent in the window: no longer predicted, re-armed, no event.
        Instant later = opened.plus(Duration.ofDays(8));
        clock.set(later);
        tx(() -> ledger.ensureAccount(late));
        // Runs out 1 day before the refresh (not more than 3): 7 x available / spent = days to the refresh - 1.
        long daysLeft = Duration.between(later, nextPeriod).toDays() - 1;
        long spent = 100_000 * 7 / (7 + daysLeft) + 1;
        tx(() -> ledger.charge(late, Millicredits.of(spent), Mutation.system("test")));
        DepletionForecast forecast = DepletionForecast.project(100_000 - spent, spent, later, nextPeriod);
        assertThat(forecast.beforeRefresh()).as("precondition: it runs out before the refresh").isTrue();

        run();
        assertThat(warnedPeriod(stops)).isNull();
        assertThat(events(stops)).isEqualTo(1);
        assertThat(warnedPeriod(late)).isNull();
        assertThat(events(late)).isZero();
    }

    private JobReport run() {
        return jobs.run(PredictDepletionJob.NAME);
    }

    private static long events(String user) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_event WHERE user_id = ? AND type = '" + TYPE + "'", user);
    }

    /** The period the account was warned in, as an instant's text; null without a warning. */
    private static String warnedPeriod(String user) {
        String text = LedgerProbe.text(
                "SELECT to_char(period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM depletion_warning WHERE user_id = ?",
                user);
        return text;
    }
}
