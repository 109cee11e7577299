package dev.tollgate.archival;

import static dev.tollgate.testing.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/**
 * The acceptance: 200,000 usage rows archived while charges run through the HTTP API. No
 * charge fails, no row is lost or duplicated (rows before + charges = live + archive after, no id
 * in both tables), and every user's sums of cost and tokens are unchanged, in the tables and in
 * the usage report.
 */
@QuarkusTest
class ArchivalUnderLoadTest {

    static final int ROWS = 200_000;
    static final int USERS = 4;
    static final int CHARGING_THREADS = 2;
    /** Batches per run in this test: the 200,000 rows take several runs, as they would nightly. */
    static final int BATCHES_PER_RUN = 10;

    @Inject
    UsageArchival archival;

    @Inject
    ArchivalConfig config;

    @Inject
    Clock clock;

    @Test
    void twoHundredThousandRowsAreArchivedWhileChargesRunAndNothingIsLostDuplicatedOrFailed() throws Exception {
        String prefix = "archival-load-" + UUID.randomUUID() + "-";
        List<String> users = IntStream.range(0, USERS).mapToObj(i -> prefix + i).toList();
        users.forEach(user -> as(user).get("/api/credit/balance").then().statusCode(200)); // opens the accounts
        ExecutorService chargers = Executors.newFixedThreadPool(CHARGING_THREADS);
        try {
            long started = System.nanoTime();
            // 100 to 200 days old, 50,000 rows per user.
            UsageTables.insert(prefix, USERS, "bulk-", ROWS, 100, 100L * 86_400);
            UsageTables.execute("ANALYZE token_usage"); // as autovacuum would after such an insert
            log("inserted %,d rows in %d ms", ROWS, millisSince(started));

            List<List<Object>> bulkSums = UsageTables.sumsPerUser(prefix, "bulk-");
            String bulkFingerprint = UsageTables.fingerprint(prefix, "bulk-");
            Map<String, JsonPath> reportsBefore = new HashMap<>();
            users.forEach(user -> reportsBefore.put(user, reportTotals(user)));
            assertThat(UsageTables.counts(prefix)).containsExactly(ROWS, 0);

            // Charges through the HTTP API, round robin over the users, until the archival is done.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger charges = new AtomicInteger();
            Map<String, AtomicLong> costPerUser = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong slowestChargeMillis = new AtomicLong();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            Map<String, String> tokens = new ConcurrentHashMap<>();
            users.forEach(user -> tokens.put(user, Tokens.user(user)));
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < CHARGING_THREADS; t++) {
                int thread = t;
                running.add(chargers.submit(() -> {
                    for (int n = 0; !stop.get() && n < 100_000; n++) {
                        String user = users.get((n + thread) % USERS);
                        String key = "live-" + thread + "-" + n;
                        long sent = System.nanoTime();
                        HttpResponse<String> response = client.send(HttpRequest
                                .newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/credit/charges"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + tokens.get(user))
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", key)
                                .POST(HttpRequest.BodyPublishers.ofString(Api.chargeBody("gpt-4o-mini", 10, 5)))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        slowestChargeMillis.accumulateAndGet(millisSince(sent), Math::max);
                        if (response.statusCode() == 201) {
                            costPerUser.computeIfAbsent(user, u -> new AtomicLong())
                                    .addAndGet(new JsonObject(response.body()).getLong("costMillicredits"));
                            charges.incrementAndGet();
                        } else {
                            failures.add(key + " answered " + response.statusCode() + ": " + response.body());
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (charges.get() < 10 && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(charges.get()).as("charges made before the archival starts").isGreaterThanOrEqualTo(10);

            long archivalStarted = System.nanoTime();
            int chargesBefore = charges.get();
            Instant cutoff = clock.instant().minus(config.retention());
            long moved = 0;
            int runs = 0;
            UsageArchival.Outcome outcome;
            do {
                outcome = archival.archiveOlderThan(cutoff, config.batchSize(), BATCHES_PER_RUN);
                moved += outcome.moved();
                runs++;
            } while (outcome.more() && runs < 100);
            long archivalMillis = millisSince(archivalStarted);
            int chargesDuring = charges.get() - chargesBefore;
            Thread.sleep(500); // a few more charges after the last batch
            stop.set(true);
            for (Future<?> thread : running) {
                thread.get(60, TimeUnit.SECONDS);
            }
            log("archived %,d rows in %d runs of at most %d batches of %,d in %d ms, while %d charges were made "
                    + "(%d in all, the slowest took %d ms)", moved, runs, BATCHES_PER_RUN, config.batchSize(),
                    archivalMillis, chargesDuring, charges.get(), slowestChargeMillis.get());

            assertThat(failures).isEmpty();
            assertThat(chargesDuring).as("charges made while the archival ran").isPositive();
            assertThat(moved).isGreaterThanOrEqualTo(ROWS);
            // Every bulk row is archived, every charge is live, and no row is in both tables.
            assertThat(UsageTables.counts(prefix)).containsExactly(charges.get(), ROWS);
            assertThat(UsageTables.count("""
                    SELECT COUNT(*) FROM token_usage WHERE user_id LIKE ? || '%' AND request_id LIKE 'live-%'""", prefix))
                    .isEqualTo(charges.get());
            assertThat(UsageTables.inBothTables(prefix)).isZero();
            assertThat(UsageTables.count("SELECT COUNT(*) FROM token_usage t JOIN token_usage_archive a USING (id)"))
                    .isZero();
            // The archived rows are the live rows they were, column for column, and sum up as before.
            assertThat(UsageTables.sumsPerUser(prefix, "bulk-")).isEqualTo(bulkSums);
            assertThat(UsageTables.fingerprint(prefix, "bulk-")).isEqualTo(bulkFingerprint);
            for (String user : users) {
                long cost = costPerUser.getOrDefault(user, new AtomicLong()).get();
                long calls = UsageTables.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND request_id LIKE 'live-%'",
                        user);
                JsonPath before = reportsBefore.get(user);
                JsonPath after = reportTotals(user);
                assertThat(after.getLong("totals.calls")).isEqualTo(before.getLong("totals.calls") + calls);
                assertThat(after.getLong("totals.costMillicredits")).isEqualTo(before.getLong("totals.costMillicredits") + cost);
                assertThat(after.getLong("totals.totalTokens")).isEqualTo(before.getLong("totals.totalTokens") + 15 * calls);
                assertThat(after.getLong("totals.cachedInputTokens")).isEqualTo(before.getLong("totals.cachedInputTokens"));
                assertThat(after.getLong("totals.reasoningTokens")).isEqualTo(before.getLong("totals.reasoningTokens"));
                assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
                assertThat(LedgerProbe.negativePoints(user)).isZero();
            }
            log("whole test %d ms", millisSince(started));
        } finally {
            chargers.shutdownNow();
            long cleanup = System.nanoTime();
            UsageTables.delete(prefix, "bulk-");
            UsageTables.execute("ANALYZE token_usage");
            log("removed the bulk rows in %d ms", millisSince(cleanup));
        }
    }

    /** The usage report's totals of the last 366 days, which reach every row of the test. */
    private static JsonPath reportTotals(String user) {
        return as(user).queryParam("from", LocalDate.now(ZoneOffset.UTC).minusDays(365).toString())
                .queryParam("groupBy", "model").queryParam("size", 1)
                .get("/api/credit/usage").then().statusCode(200).extract().jsonPath();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[archival under load] " + format + "%n", args);
    }
}
