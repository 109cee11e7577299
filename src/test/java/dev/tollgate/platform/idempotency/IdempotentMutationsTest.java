package dev.tollgate.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.TestDatabase;

/**
 * The idempotent-mutation mechanism on its own, against a real unique index: a table of its own
 * stands in for the ledger, one row per key with the fingerprint, the operation and the answer.
 * The races of every idempotent mutation of Tollgate are the races of this one.
 */
@QuarkusTest
class IdempotentMutationsTest {

    private static final String TABLE = """
            CREATE TABLE IF NOT EXISTS idempotency_probe (
                idempotency_key varchar(255) PRIMARY KEY,
                request_hash    varchar(64)  NOT NULL,
                operation       varchar(32)  NOT NULL,
                answer          varchar(255) NOT NULL)""";
    private static final String INSERT = "INSERT INTO idempotency_probe (idempotency_key, request_hash, operation, answer) VALUES (?, ?, ?, ?)";

    @Inject
    IdempotentMutations mutations;

    @Inject
    AgroalDataSource dataSource;

    /** A row as the first request stored it. */
    record Stored(String key, String requestHash, String operation, String answer) implements StoredRequest {
    }

    @BeforeEach
    void createTheTable() {
        LedgerProbe.execute(TABLE);
    }

    @Test
    void aRepeatOfTheSameRequestReplaysTheStoredAnswerAndAppliesOnce() {
        IdempotentRequest request = request("charge", "body");

        Answer<String> first = mutations.apply(() -> write(request, "charge", "first"), replayed(request, "charge"));
        Answer<String> again = mutations.apply(() -> write(request, "charge", "second"), replayed(request, "charge"));

        assertThat(first).isEqualTo(new Answer<>("first", false));
        assertThat(again).isEqualTo(new Answer<>("first", true));
        assertThat(rows(request.key())).isEqualTo(1);
    }

    @Test
    void anotherRequestUnderTheKeyIsAConflictAndChangesNothing() {
        IdempotentRequest request = request("charge", "body");
        mutations.apply(() -> write(request, "charge", "first"), replayed(request, "charge"));
        IdempotentRequest other = new IdempotentRequest(request.key(), RequestHash.of("charge", "another body"));

        assertThatThrownBy(() -> mutations.apply(() -> write(other, "charge", "second"), replayed(other, "charge")))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(stored(request.key())).map(Stored::answer).contains("first");
        assertThat(rows(request.key())).isEqualTo(1);
    }

    @Test
    void theSameFingerprintStoredByAnotherOperationIsNotReplayed() {
        IdempotentRequest request = request("charge", "body");
        mutations.apply(() -> write(request, "reserve", "a hold"), replayed(request, "reserve"));

        assertThatThrownBy(() -> mutations.apply(() -> write(request, "charge", "a charge"), replayed(request, "charge")))
                .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    void twoConcurrentFirstRequestsApplyOnceAndTheOtherReplaysItsAnswer() throws Exception {
        IdempotentRequest request = request("charge", "body");
        CountDownLatch firstWrote = new CountDownLatch(1);
        CountDownLatch letFirstCommit = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CompletableFuture<Answer<String>> first = CompletableFuture.supplyAsync(() -> mutations.apply(() -> {
            String answer = write(request, "charge", "first");
            firstWrote.countDown();
            await(letFirstCommit);
            return answer;
        }, replayed(request, "charge")), pool);
        assertThat(firstWrote.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Answer<String>> second = CompletableFuture.supplyAsync(
                () -> mutations.apply(() -> write(request, "charge", "second"), replayed(request, "charge")), pool);
        // The precondition of the race: the second insert waits on the first one's uncommitted key.
        awaitAnInsertWaitingOnALock();
        assertThat(second).isNotDone();
        letFirstCommit.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(new Answer<>("first", false));
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(new Answer<>("first", true));
        assertThat(rows(request.key())).isEqualTo(1);
        pool.shutdown();
    }

    @Test
    void aKeyUsedOnceRefusesEveryRepeat() {
        IdempotentRequest request = request("chat", "prompt");
        mutations.apply(() -> write(request, "chat", "first"), Repeat.refused(IdempotencyConflictException::new));

        assertThatThrownBy(() -> mutations.apply(() -> write(request, "chat", "first"),
                Repeat.<String> refused(IdempotencyConflictException::new)))
                .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    void aDuplicateCountsAsDoneOnlyIfTheStoredEntryIsThisOperationOnThisReference() {
        String key = DerivedKey.of("settle", UUID.randomUUID().toString());
        IdempotentRequest settle = IdempotentRequest.derived(key, "settle", "usage");
        IdempotentRequest planted = IdempotentRequest.derived(key, "planted", "anything");
        mutations.apply(() -> write(planted, "charge", "not a settle"), replayed(planted, "planted"));

        assertThatThrownBy(() -> mutations.apply(() -> write(settle, "settle", "settled"), doneIfSettled(key)))
                .as("an entry under the key that is another operation is not taken for this one")
                .isInstanceOf(DuplicateRequestException.class);

        String settledKey = DerivedKey.of("settle", UUID.randomUUID().toString());
        IdempotentRequest settled = IdempotentRequest.derived(settledKey, "settle", "usage");
        mutations.apply(() -> write(settled, "settle", "settled"), doneIfSettled(settledKey));
        assertThat(mutations.apply(() -> write(settled, "settle", "settled again"), doneIfSettled(settledKey)))
                .isEqualTo(new Answer<>("done before: settled", true));
    }

    @Test
    void aRepeatRefusedBeforeItReachesTheKeyIsAnsweredFromTheStoreWhenItsFailureSignalsIt() {
        String key = DerivedKey.of("release", UUID.randomUUID().toString());
        IdempotentRequest release = IdempotentRequest.derived(key, "release", "hold");
        mutations.apply(() -> write(release, "release", "released"), doneIfReleased(key));
        Repeat<String> repeat = doneIfReleased(key).signalledBy(IllegalStateException.class);

        assertThat(mutations.apply(() -> {
            throw new IllegalStateException("the hold is no longer held");
        }, repeat)).isEqualTo(new Answer<>("done before: released", true));
        assertThatThrownBy(() -> mutations.apply(() -> write(release, "release", "again"), repeat))
                .as("the unique index is not what signals this repeat")
                .isInstanceOf(DuplicateRequestException.class);
    }

    @Test
    void aFailureThatIsNoRepeatStoresNothingReadsNothingAndTheRetryApplies() {
        IdempotentRequest request = request("charge", "body");
        AtomicBoolean read = new AtomicBoolean();
        Repeat<String> repeat = Repeat.replayed(request, key -> {
            read.set(true);
            return stored(key);
        }, stored -> true, Stored::answer);

        assertThatThrownBy(() -> mutations.apply(() -> {
            write(request, "charge", "written, then rolled back");
            throw new IllegalArgumentException("402: the account cannot cover it");
        }, repeat)).isInstanceOf(IllegalArgumentException.class);
        assertThat(read).isFalse();
        assertThat(rows(request.key())).isZero();

        assertThat(mutations.apply(() -> write(request, "charge", "applied"), repeat))
                .isEqualTo(new Answer<>("applied", false));
    }

    @Test
    void aMutationThatCommitsItselfMayNotRunInsideTheCallersTransaction() {
        IdempotentRequest request = request("reserve", "body");
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().call(() -> mutations.applyCommitting(
                () -> write(request, "reserve", "held"), replayed(request, "reserve"))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(rows(request.key())).isZero();
    }

    @Test
    void aClientsKeyIsNeverTakenForADerivedOne() {
        assertThatThrownBy(() -> IdempotentRequest.derived("settle:" + UUID.randomUUID(), "settle", "usage"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static IdempotentRequest request(String operation, Object body) {
        return IdempotentRequest.of(new IdempotencyKey("key-" + UUID.randomUUID()), operation, body);
    }

    /** Replays the stored answer if the row is this request of this operation. */
    private Repeat<String> replayed(IdempotentRequest request, String operation) {
        return Repeat.replayed(request, this::stored, stored -> stored.operation().equals(operation), Stored::answer);
    }

    private Repeat<String> doneIfSettled(String key) {
        return Repeat.doneIf(() -> stored(key), stored -> stored.operation().equals("settle"),
                stored -> "done before: " + stored.answer());
    }

    private Repeat<String> doneIfReleased(String key) {
        return Repeat.doneIf(() -> stored(key), stored -> stored.operation().equals("release"),
                stored -> "done before: " + stored.answer());
    }

    /** Writes the row of a key in the current transaction: the unique index refuses a second one. */
    private String write(IdempotentRequest request, String operation, String answer) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, request.key());
            ps.setString(2, request.requestHash());
            ps.setString(3, operation);
            ps.setString(4, answer);
            ps.executeUpdate();
            return answer;
        } catch (SQLException e) {
            throw DatabaseFailure.of("write probe", e);
        }
    }

    private Optional<Stored> stored(String key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT request_hash, operation, answer FROM idempotency_probe WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Stored(key, rs.getString(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long rows(String key) {
        return LedgerProbe.count("SELECT COUNT(*) FROM idempotency_probe WHERE idempotency_key = ?", key);
    }

    private static void awaitAnInsertWaitingOnALock() throws SQLException, InterruptedException {
        long giveUpAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*) FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO idempotency_probe%'""")) {
            while (System.nanoTime() < giveUpAt) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 1) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the second insert never waited on the first one's key");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
