package dev.tollgate.observability;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Management;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The business meters at {@code /q/metrics} (management port) move with what the service did: credits charged (by
 * the committed amount), 402 answers, holds placed and resolved, job runs and the rows they
 * processed. Tests of one application run one after another, so the deltas are exact.
 */
@QuarkusTest
class MetricsTest {

    static final String CHARGED = "tollgate_credits_charged_millicredits_total";
    static final String PROBLEMS = "tollgate_problems_total";

    @Test
    void aChargeAddsItsCostToTheCreditsCharged() {
        String user = openAccount("metrics-charge");
        double chargedBefore = Metrics.value(CHARGED, Map.of("operation", "charge"));
        double entriesBefore = Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge"));

        long cost = charge(user, "m-1", chargeBody("gpt-4o-mini", 100_000, 50_000)).then().statusCode(201)
                .extract().jsonPath().getLong("costMillicredits");
        // A replay charges nothing and counts nothing.
        charge(user, "m-1", chargeBody("gpt-4o-mini", 100_000, 50_000)).then().statusCode(201);

        assertThat(cost).isPositive();
        assertThat(Metrics.value(CHARGED, Map.of("operation", "charge")) - chargedBefore).isEqualTo(cost);
        assertThat(Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge")) - entriesBefore)
                .isEqualTo(1);
    }

    @Test
    void a402IsCountedAndChargesNothing() {
        String user = openAccount("metrics-402");
        double refusedBefore = Metrics.value(PROBLEMS, Map.of("type", "insufficient-credits", "status", "402"));
        double chargedBefore = Metrics.value(CHARGED);

        charge(user, "too-much", chargeBody("gpt-4o", 9_000_000, 9_000_000)).then().statusCode(402);

        assertThat(Metrics.value(PROBLEMS, Map.of("type", "insufficient-credits", "status", "402")) - refusedBefore)
                .isEqualTo(1);
        assertThat(Metrics.value(CHARGED)).isEqualTo(chargedBefore);
    }

    @Test
    void holdsAreCountedWhenPlacedAndByOutcome() {
        String user = openAccount("metrics-hold");
        double placedBefore = Metrics.value("tollgate_holds_placed_total");
        double releasedBefore = Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "released"));
        double settledBefore = Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "settled"));
        double settleChargedBefore = Metrics.value(CHARGED, Map.of("operation", "settle"));

        String released = reserve(user, "h-1");
        as(user).post("/api/credit/reservations/" + released + "/release").then().statusCode(200);
        String settled = reserve(user, "h-2");
        long charged = as(user).contentType(ContentType.JSON)
                .body("{\"usage\":{\"uncachedInputTokens\":1000,\"outputTokens\":100}}")
                .post("/api/credit/reservations/" + settled + "/settle").then().statusCode(200)
                .extract().jsonPath().getLong("chargedMillicredits");

        assertThat(Metrics.value("tollgate_holds_placed_total") - placedBefore).isEqualTo(2);
        assertThat(Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "released")) - releasedBefore)
                .isEqualTo(1);
        assertThat(Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "settled")) - settledBefore)
                .isEqualTo(1);
        assertThat(Metrics.value(CHARGED, Map.of("operation", "settle")) - settleChargedBefore).isEqualTo(charged);
    }

    @Test
    void aJobRunIsCountedWithTheRowsItProcessed() {
        String user = openAccount("metrics-job");
        String stale = reserve(user, "stale");
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid", stale);
        Map<String, String> job = Map.of("job", "expire-holds");
        double runsBefore = Metrics.value("tollgate_jobs_runs_total", Map.of("job", "expire-holds", "status", "done"));
        double rowsBefore = Metrics.value("tollgate_jobs_rows_total", job);
        double timedBefore = Metrics.value("tollgate_jobs_duration_seconds_count", job);
        double expiredBefore = Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "expired"));

        Response run = given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/expire-holds");
        run.then().statusCode(200);
        long processed = run.jsonPath().getLong("processed");

        assertThat(processed).isGreaterThanOrEqualTo(1);
        assertThat(Metrics.value("tollgate_jobs_runs_total", Map.of("job", "expire-holds", "status", "done")) - runsBefore)
                .isEqualTo(1);
        assertThat(Metrics.value("tollgate_jobs_rows_total", job) - rowsBefore).isEqualTo(processed);
        assertThat(Metrics.value("tollgate_jobs_duration_seconds_count", job) - timedBefore).isEqualTo(1);
        assertThat(Metrics.value("tollgate_holds_resolved_total", Map.of("outcome", "expired")) - expiredBefore)
                .isEqualTo(processed);
    }

    @Test
    void theMetricsAreOpenToTheScraperWithoutAToken() {
        Management.given().get("/q/metrics").then().statusCode(200);
    }

    private static String reserve(String user, String key) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":100}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
    }
}
