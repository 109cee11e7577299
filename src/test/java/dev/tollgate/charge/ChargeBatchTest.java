package dev.tollgate.charge;

import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.newUser;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.restassured.RestAssured;

import dev.tollgate.platform.tx.GroupCommit;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Metrics;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The charges of one account that arrive while a transaction of the account runs are committed
 * together, in one transaction, and each is answered as if it had run alone: a refused one, a
 * repeated key (replayed, or 409 for another body) and an account opening rolled back with its
 * charge affect neither the others nor what happens after the commit. The account's lane is held by
 * a work of the test's own, so that the charges queue, in the order sent, and form one batch.
 */
@QuarkusTest
class ChargeBatchTest {

    // 2,000 output tokens of gpt-4o (1,000 credits/M) = 2 credits; the free plan's 100 credits cover 50.
    private static final String TWO_CREDITS = chargeBody("gpt-4o", 0, 2_000);
    private static final String ONE_CREDIT = chargeBody("gpt-4o", 0, 1_000);
    private static final String TOO_MUCH = chargeBody("gpt-4o", 9_000_000, 9_000_000);
    private static final long WAIT_SECONDS = 30;
    private static final String RERUNS = "tollgate_charges_batch_reruns_total";
    private static final String SECOND_PASSES = "tollgate_charges_batch_second_passes_total";

    @Inject
    GroupCommit groupCommit;

    @Inject
    AgroalDataSource dataSource;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        threads.shutdownNow();
    }

    @Test
    void aBatchAnswersEachChargeAsIfItHadRunAlone() throws Exception {
        String user = openAccount("batch");
        double batchesBefore = Metrics.value("tollgate_charges_batch_size_count");
        double batchedBefore = Metrics.value("tollgate_charges_batch_size_sum");
        double chargesBefore = Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge"));
        double chargedBefore = Metrics.value("tollgate_credits_charged_millicredits_total", Map.of("operation", "charge"));
        double rerunsBefore = Metrics.value(RERUNS);
        double secondPassesBefore = Metrics.value(SECOND_PASSES);

        Future<String> holder = holdTheLane(user);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        sent.add(queue(user, "a", TWO_CREDITS, 1));
        sent.add(queue(user, "too-much", TOO_MUCH, 2));
        sent.add(queue(user, "a", TWO_CREDITS, 3));
        sent.add(queue(user, "a", ONE_CREDIT, 4));
        sent.add(queue(user, "b", TWO_CREDITS, 5));
        release.countDown();
        assertThat(holder.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("held");
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : sent) {
            answers.add(answer.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(201, 402, 201, 409, 201);
        assertThat(answers.get(0).headers().firstValue("Idempotent-Replayed")).hasValue("false");
        assertThat(answers.get(2).headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(answers.get(2).body()).isEqualTo(answers.get(0).body());
        assertThat(answers.get(4).headers().firstValue("Idempotent-Replayed")).hasValue("false");
        assertThat(answers.get(1).headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(answers.get(3).body()).contains("idempotency-key-reused");
        // The lane's holder ran alone; the five charges in one transaction.
        assertThat(Metrics.value("tollgate_charges_batch_size_count") - batchesBefore).isEqualTo(2);
        assertThat(Metrics.value("tollgate_charges_batch_size_sum") - batchedBefore).isEqualTo(6);
        assertThat(Metrics.value(RERUNS) - rerunsBefore).as("the shared transaction committed").isZero();
        assertThat(Metrics.value(SECOND_PASSES) - secondPassesBefore).as("the refusal ended the first pass").isEqualTo(1);

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 4_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(2);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1 + 2);
        // Counted once per committed charge, never for the refused or repeated ones.
        assertThat(Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge")) - chargesBefore)
                .isEqualTo(2);
        assertThat(Metrics.value("tollgate_credits_charged_millicredits_total", Map.of("operation", "charge"))
                - chargedBefore).isEqualTo(4_000);
    }

    @Test
    void aBatchWithoutAFailureCommitsInItsFirstPass() throws Exception {
        String user = openAccount("batch-clean");
        double batchedBefore = Metrics.value("tollgate_charges_batch_size_sum");
        double secondPassesBefore = Metrics.value(SECOND_PASSES);

        Future<String> holder = holdTheLane(user);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sent.add(queue(user, "clean-" + i, TWO_CREDITS, i));
        }
        release.countDown();
        holder.get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<String>> answer : sent) {
            assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        }

        assertThat(Metrics.value("tollgate_charges_batch_size_sum") - batchedBefore).isEqualTo(1 + 3);
        assertThat(Metrics.value(SECOND_PASSES) - secondPassesBefore).isZero();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 6_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(3);
    }

    @Test
    void anAccountOpeningRolledBackWithItsRefusedChargeTakesNoEffectAfterTheCommit() throws Exception {
        String user = newUser("batch-opening");
        double grantsBefore = Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "grant"));
        double chargesBefore = Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge"));
        double rerunsBefore = Metrics.value(RERUNS);

        Future<String> holder = holdTheLane(user);
        // The first opens the account in its savepoint and is refused: the opening goes with it.
        CompletableFuture<HttpResponse<String>> refused = queue(user, "too-much", TOO_MUCH, 1);
        CompletableFuture<HttpResponse<String>> charged = queue(user, "c", TWO_CREDITS, 2);
        release.countDown();
        holder.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(refused.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode()).isEqualTo(402);
        assertThat(charged.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(Metrics.value(RERUNS) - rerunsBefore).as("the shared transaction committed").isZero();
        assertThat(LedgerProbe.auditRows(user)).as("one opening, one charge").isEqualTo(2);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 2_000, 0, 0);
        // Had the rolled-back opening stayed in the transaction's after-commit list, it would count.
        assertThat(Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "grant")) - grantsBefore)
                .isEqualTo(1);
        assertThat(Metrics.value("tollgate_ledger_entries_total", Map.of("operation", "charge")) - chargesBefore)
                .isEqualTo(1);
    }

    /**
     * A shared transaction that loses its connection answers no one from it: its works run again,
     * each alone, and the one that had succeeded in it is answered from its second run.
     */
    @Test
    void aSharedTransactionThatLosesItsConnectionRunsEachWorkAgainAlone() throws Exception {
        String key = newUser("batch-lost");
        double rerunsBefore = Metrics.value(RERUNS);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger cutter = new AtomicInteger();
        AtomicInteger last = new AtomicInteger();

        Future<String> holder = holdTheLane(key);
        List<Future<Integer>> runs = new ArrayList<>();
        runs.add(queueWork(key, first::incrementAndGet, 1));
        runs.add(queueWork(key, () -> {
            if (cutter.incrementAndGet() == 1) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(pg_backend_pid())");
                }
            }
            return cutter.get();
        }, 2));
        runs.add(queueWork(key, last::incrementAndGet, 3));
        release.countDown();
        holder.get(WAIT_SECONDS, TimeUnit.SECONDS);

        List<Integer> results = new ArrayList<>();
        for (Future<Integer> run : runs) {
            results.add(run.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        // The first ran in the lost transaction and again alone; the last only alone.
        assertThat(results).containsExactly(2, 2, 1);
        assertThat(Metrics.value(RERUNS) - rerunsBefore).isEqualTo(3);
    }

    /** Runs a work of the test's own on the account's lane until {@link #release}; waits until it runs. */
    private Future<String> holdTheLane(String key) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Future<String> holder = threads.submit(() -> groupCommit.inSharedTransaction(key, () -> {
            running.countDown();
            assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            return "held";
        }));
        assertThat(running.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the lane's holder runs").isTrue();
        return holder;
    }

    /** Sends a charge and waits until it is the {@code position}th queued behind the holder. */
    private CompletableFuture<HttpResponse<String>> queue(String user, String key, String body, int position)
            throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/credit/charges"))
                .timeout(Duration.ofSeconds(WAIT_SECONDS))
                .header("Authorization", "Bearer " + Tokens.user(user))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        awaitQueued(user, position);
        return answer;
    }

    private <A> Future<A> queueWork(String key, Callable<A> work, int position) throws InterruptedException {
        Future<A> run = threads.submit(() -> groupCommit.inSharedTransaction(key, work));
        awaitQueued(key, position);
        return run;
    }

    private void awaitQueued(String key, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (groupCommit.queued(key) < count) {
            assertThat(System.nanoTime()).as("%d queued for %s", count, key).isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(groupCommit.queued(key)).isEqualTo(count);
    }
}
