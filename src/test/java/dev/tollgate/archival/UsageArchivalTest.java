package dev.tollgate.archival;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The archival of usage rows against the real database: what moves and what stays, the usage
 * report unchanged, two runs at once, rows another transaction holds, a batch that fails half-way,
 * and live charges while a batch is open. Tests that need a cutoff of their own use rows older than
 * any other test writes (years), so that a run moves only theirs.
 */
@QuarkusTest
class UsageArchivalTest {

    @Inject
    UsageArchival archival;

    @Inject
    ArchivalConfig config;

    @Inject
    Clock clock;

    @Test
    void theDefaultsAreNinetyDaysInBatchesOfFiveThousand() {
        assertThat(config.retention()).isEqualTo(Duration.ofDays(90));
        assertThat(config.batchSize()).isEqualTo(5_000);
        assertThat(config.maxBatches()).isEqualTo(100);
    }

    @Test
    void rowsPastTheRetentionMoveNewerOnesStayAndTheUsageReportIsUnchanged() {
        String user = openAccount("archival-report");
        charge(user, "live-1", chargeBody("gpt-4o-mini", 1000, 200)).then().statusCode(201);
        charge(user, "live-2", chargeBody("gpt-4o", 10, 20)).then().statusCode(201);
        // 30 rows 95 to 155 days old and 20 rows 10 to 70 days old, then one on each side of the cutoff.
        UsageTables.insert(user, 1, "old-", 30, 95, 60L * 86_400);
        UsageTables.insert(user, 1, "recent-", 20, 10, 60L * 86_400);
        insertAt(user, "just-past-retention", "now() - interval '90 days' - interval '1 hour'");
        insertAt(user, "just-within-retention", "now() - interval '90 days' + interval '1 hour'");
        String fingerprint = UsageTables.fingerprint(user);
        String report = report(user);
        assertThat(UsageTables.counts(user)).containsExactly(54, 0);

        Instant started = Instant.now();
        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/" + ArchiveUsageJob.NAME)
                .then().statusCode(200)
                .body("job", equalTo("archive-usage"))
                .body("status", equalTo("done"))
                .body("processed", greaterThanOrEqualTo(31));

        assertThat(UsageTables.counts(user)).containsExactly(23, 31);
        assertThat(requestIds("token_usage_archive", user)).hasSize(31).contains("just-past-retention")
                .filteredOn(id -> id.startsWith("old-")).hasSize(30);
        assertThat(requestIds("token_usage", user)).doesNotContain("just-past-retention")
                .contains("live-1", "live-2", "just-within-retention");
        assertThat(UsageTables.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND created_at < ?", user,
                java.time.OffsetDateTime.ofInstant(started.minus(Duration.ofDays(90)), ZoneOffset.UTC))).isZero();
        assertThat(UsageTables.count("""
                SELECT COUNT(*) FROM token_usage_archive WHERE user_id = ? AND archived_at BETWEEN ? AND now()""",
                user, java.time.OffsetDateTime.ofInstant(started.minusSeconds(1), ZoneOffset.UTC))).isEqualTo(31);
        assertThat(UsageTables.inBothTables(user)).isZero();
        assertThat(UsageTables.fingerprint(user)).isEqualTo(fingerprint);
        assertThat(report(user)).isEqualTo(report);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));

        // Nothing left to move: a second run changes nothing of this user.
        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/" + ArchiveUsageJob.NAME)
                .then().statusCode(200).body("status", equalTo("done"));
        assertThat(UsageTables.counts(user)).containsExactly(23, 31);
        assertThat(report(user)).isEqualTo(report);
    }

    @Test
    void twoRunsAtOnceMoveEveryRowExactlyOnce() throws Exception {
        String prefix = "archival-race-" + UUID.randomUUID() + "-";
        int rows = 20_000;
        UsageTables.insert(prefix, 3, "race-", rows, 1_000, 100L * 86_400);
        String fingerprint = UsageTables.fingerprint(prefix);
        Instant cutoff = clock.instant().minus(999, ChronoUnit.DAYS);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<UsageArchival.Outcome>> runs = List.of(
                    pool.submit(() -> {
                        start.await();
                        return archival.archiveOlderThan(cutoff, 500, 1_000);
                    }),
                    pool.submit(() -> {
                        start.await();
                        return archival.archiveOlderThan(cutoff, 500, 1_000);
                    }));
            start.countDown();
            UsageArchival.Outcome first = runs.get(0).get(60, TimeUnit.SECONDS);
            UsageArchival.Outcome second = runs.get(1).get(60, TimeUnit.SECONDS);
            System.out.printf("two runs at once moved %d and %d rows%n", first.moved(), second.moved());

            assertThat(first.moved() + second.moved()).isEqualTo(rows);
            assertThat(UsageTables.counts(prefix)).containsExactly(0, rows);
            assertThat(UsageTables.fingerprint(prefix)).isEqualTo(fingerprint);
        } finally {
            pool.shutdownNow();
            UsageTables.delete(prefix, "race-");
        }
    }

    @Test
    void rowsAnotherTransactionHoldsAreSkippedNotWaitedForAndMovedByTheNextRun() throws Exception {
        String user = "archival-locked-" + UUID.randomUUID();
        UsageTables.insert(user, 1, "held-", 1_000, 3_000, 86_400L);
        Instant cutoff = clock.instant().minus(2_999, ChronoUnit.DAYS);
        String fingerprint = UsageTables.fingerprint(user);
        try {
            try (Connection other = TestDatabase.connect()) {
                other.setAutoCommit(false);
                // What a batch of another run holds: the 100 oldest rows, locked until it ends.
                assertThat(UsageTables.query(other, """
                        SELECT id FROM token_usage WHERE user_id = ? ORDER BY created_at, id LIMIT 100 FOR UPDATE""", user))
                        .hasSize(100);

                UsageArchival.Outcome whileHeld = CompletableFuture
                        .supplyAsync(() -> archival.archiveOlderThan(cutoff, 300, 100)).get(30, TimeUnit.SECONDS);
                assertThat(whileHeld.moved()).isEqualTo(900);
                assertThat(whileHeld.more()).isFalse();
                assertThat(UsageTables.counts(user)).containsExactly(100, 900);
                other.rollback();
            }
            assertThat(archival.archiveOlderThan(cutoff, 300, 100).moved()).isEqualTo(100);
            assertThat(UsageTables.counts(user)).containsExactly(0, 1_000);
            assertThat(UsageTables.fingerprint(user)).isEqualTo(fingerprint);
        } finally {
            UsageTables.delete(user, "held-");
        }
    }

    @Test
    void aBatchThatFailsHalfWayRollsBackWholeAndTheNextRunResumes() {
        String user = "archival-crash-" + UUID.randomUUID();
        // 5,000 rows, row g one second younger than row g-1: batches of 1,000 take them in order.
        UsageTables.execute("""
                INSERT INTO token_usage (user_id, request_id, model, input_tokens, cached_input_tokens, cache_write_tokens,
                       output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated, pricing_id, created_at)
                SELECT ?, 'crash-' || g, 'gpt-4o', g, 0, 0, 1, 0, g + 1, g, false,
                       (SELECT id FROM model_pricing WHERE model = 'gpt-4o' ORDER BY effective_from DESC LIMIT 1),
                       now() - interval '2000 days' + g * interval '1 second'
                  FROM generate_series(1, 5000) g""", user);
        Instant cutoff = clock.instant().minus(1_999, ChronoUnit.DAYS);
        String fingerprint = UsageTables.fingerprint(user);
        // The archive refuses row 2,500 (in the third batch), after the batch deleted it from token_usage.
        UsageTables.execute("""
                CREATE FUNCTION tollgate_test_refuse_archive() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.user_id LIKE 'archival-crash-%' AND NEW.request_id = 'crash-2500' THEN
                        RAISE EXCEPTION 'injected failure';
                    END IF;
                    RETURN NEW;
                END $$""");
        UsageTables.execute("""
                CREATE TRIGGER tollgate_test_refuse_archive BEFORE INSERT ON token_usage_archive
                   FOR EACH ROW EXECUTE FUNCTION tollgate_test_refuse_archive()""");
        try {
            assertThatThrownBy(() -> archival.archiveOlderThan(cutoff, 1_000, 100)).hasMessageContaining("archive usage rows");
            assertThat(UsageTables.counts(user)).containsExactly(3_000, 2_000);
            // The two batches before the failing one stay committed: rows 1 to 2,000.
            assertThat(UsageTables.count("""
                    SELECT COUNT(*) FROM token_usage_archive WHERE user_id = ? AND substr(request_id, 7)::int <= 2000""",
                    user)).isEqualTo(2_000);
            assertThat(UsageTables.inBothTables(user)).isZero();
            assertThat(UsageTables.fingerprint(user)).isEqualTo(fingerprint);

            UsageTables.execute("DROP TRIGGER tollgate_test_refuse_archive ON token_usage_archive");
            UsageArchival.Outcome resumed = archival.archiveOlderThan(cutoff, 1_000, 100);
            assertThat(resumed.moved()).isEqualTo(3_000);
            assertThat(resumed.batches()).isEqualTo(3);
            assertThat(UsageTables.counts(user)).containsExactly(0, 5_000);
            assertThat(UsageTables.fingerprint(user)).isEqualTo(fingerprint);
        } finally {
            UsageTables.execute("DROP TRIGGER IF EXISTS tollgate_test_refuse_archive ON token_usage_archive");
            UsageTables.execute("DROP FUNCTION IF EXISTS tollgate_test_refuse_archive()");
            UsageTables.delete(user, "crash-");
        }
    }

    @Test
    void anOpenBatchBlocksNeitherChargesNorTheUsageReportOfItsUsers() throws Exception {
        String user = openAccount("archival-open-batch");
        UsageTables.insert(user, 1, "open-", 500, 4_000, 86_400L);
        Instant cutoff = clock.instant().minus(3_999, ChronoUnit.DAYS);
        try (Connection batch = TestDatabase.connect()) {
            batch.setAutoCommit(false);
            // The batch's very statement, left uncommitted: its rows are deleted and locked.
            try (PreparedStatement ps = batch.prepareStatement(UsageArchival.MOVE_BATCH)) {
                Jdbc.setTime(ps, 1, cutoff);
                ps.setInt(2, 5_000);
                Jdbc.setTime(ps, 3, clock.instant());
                ps.executeQuery().close();
            }
            CompletableFuture<Integer> charged = CompletableFuture.supplyAsync(
                    () -> charge(user, "while-open", chargeBody("gpt-4o-mini", 10, 10)).statusCode());
            assertThat(charged.get(20, TimeUnit.SECONDS)).isEqualTo(201);
            as(user).queryParam("from", LocalDate.now(ZoneOffset.UTC).minusDays(365).toString()).get("/api/credit/usage")
                    .then().statusCode(200).body("totals.calls", equalTo(1));
            batch.commit();
        }
        try {
            assertThat(UsageTables.counts(user)).containsExactly(1, 500);
            assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        } finally {
            UsageTables.delete(user, "open-");
        }
    }

    private static void insertAt(String user, String requestId, String createdAt) {
        UsageTables.execute("""
                INSERT INTO token_usage (user_id, request_id, model, input_tokens, cached_input_tokens, cache_write_tokens,
                       output_tokens, reasoning_tokens, total_tokens, cost_millicredits, estimated, pricing_id, created_at)
                VALUES (?, ?, 'gpt-4o', 100, 0, 0, 100, 0, 200, 125, false,
                        (SELECT id FROM model_pricing WHERE model = 'gpt-4o' ORDER BY effective_from DESC LIMIT 1), %s)"""
                .formatted(createdAt), user, requestId);
    }

    private static List<String> requestIds(String table, String user) {
        return UsageTables.query("SELECT request_id FROM " + table + " WHERE user_id = ?", user).stream()
                .map(row -> (String) row.get(0)).toList();
    }

    /** The whole usage report of the last 366 days, every call on one page. */
    private static String report(String user) {
        return as(user).queryParam("from", LocalDate.now(ZoneOffset.UTC).minusDays(365).toString())
                .queryParam("to", LocalDate.now(ZoneOffset.UTC).toString()).queryParam("size", 200)
                .get("/api/credit/usage").then().statusCode(200).extract().asString();
    }
}
