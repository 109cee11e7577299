package dev.tollgate.platform.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;

import dev.tollgate.platform.jdbc.Jdbc;

/**
 * Group commit (after TigerBeetle's batches): the concurrent works of one key — the charges of one
 * account — run in one transaction and share its commit, instead of each holding the account's row
 * lock across a commit of its own.
 *
 * <p>Leader and followers: the first caller of a key runs a batch on its own thread, at once (a lone
 * work waits for nothing); callers that arrive meanwhile queue, and when the batch is answered the
 * first of them leads the next batch, of all that queued (at most {@link GroupCommitConfig#maxSize}).
 * A batch runs its works one after another in arrival order, each after a savepoint: a work that
 * throws (a refusal, a repeated key) is rolled back to its savepoint, and with it what it left for
 * the commit ({@link SavepointParticipant}s), and the others are not affected. Every caller is
 * answered — its result, or its work's failure — only once the batch has committed, so that what a
 * caller reads after its answer (the stored first request of a repeated key) is committed.
 *
 * <p>A batch's first pass runs without savepoints: a savepoint costs a round trip per work on the
 * critical path of the account, and most batches have no failure. If a work fails in it, the pass is
 * rolled back as a whole and the batch runs again with a savepoint per work, as above; the lane's
 * next batch then starts with savepoints, until a batch has no failure. No caller has been answered
 * when a pass is rolled back, and every work can run again (below).
 *
 * <p>A batch of one runs as {@link Transactions#inNewTransaction} would. If a shared transaction
 * fails as a whole (its commit, a lost connection) no work of it is answered from it: each is run
 * again alone by {@link Transactions#inNewTransaction}, with its retries; a work that failed for a
 * reason a retry cures (a deadlock) is too. Running a work again is safe because every work writes
 * under a unique key: one whose cut commit in fact happened meets its key.
 *
 * <p>The savepoints are SQL statements on the transaction's connection: Agroal refuses
 * {@link Connection#rollback(java.sql.Savepoint)} on a connection enlisted in a JTA transaction
 * (and marks it to be discarded), while every handle the data source gives in the transaction is
 * the same physical connection. A work may run on another caller's thread: it must not read
 * request-scoped state, and must not itself wait for a shared transaction of its key (it would
 * queue behind its own batch).
 */
@ApplicationScoped
public class GroupCommit {

    static final int MAX_BATCH_SIZE = 60;
    private static final String SAVEPOINT = "SAVEPOINT shared_work";
    private static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT shared_work";
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    @Inject
    Transactions transactions;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    GroupCommitConfig config;

    @Inject
    Instance<SavepointParticipant> participantBeans;

    @Inject
    MeterRegistry meters;

    private List<SavepointParticipant> participants = List.of();
    private DistributionSummary batchSizes;
    private Counter reruns;
    private Counter secondPasses;
    private int maxSize;

    /** The works waiting per key; a key is present while a batch of it runs. */
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        participants = participantBeans.stream().toList();
        maxSize = config.maxSize();
        if (maxSize < 1 || maxSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("tollgate.charges.batch.max-size must be 1 to " + MAX_BATCH_SIZE);
        }
        batchSizes = DistributionSummary.builder("tollgate.charges.batch.size")
                .description("Charges committed together in one transaction, per transaction")
                .register(meters);
        secondPasses = Counter.builder("tollgate.charges.batch.second-passes")
                .description("Batches run again with a savepoint per charge because a charge failed in their first pass, which has none")
                .register(meters);
        reruns = Counter.builder("tollgate.charges.batch.reruns")
                .description("Charges run again alone because their shared transaction failed or a retry cures their failure")
                .register(meters);
    }

    /**
     * Runs {@code work} in a transaction shared with the concurrent works of {@code key} and
     * answers it once that transaction has committed.
     */
    public <A> A inSharedTransaction(String key, Callable<A> work) {
        if (!config.enabled()) {
            return transactions.inNewTransaction(work);
        }
        Queued<A> mine = new Queued<>(work);
        lanes.compute(key, (k, lane) -> {
            Lane l = lane == null ? new Lane() : lane;
            l.waiting.add(mine);
            if (!l.running) {
                l.running = true;
                mine.lead();
            }
            return l;
        });
        if (mine.awaitTurn()) {
            lead(key);
        }
        return mine.resultOrFailure();
    }

    /** How many works of {@code key} wait for the next batch (those of the running batch not counted). */
    public int queued(String key) {
        int[] n = {0};
        lanes.computeIfPresent(key, (k, lane) -> {
            n[0] = lane.waiting.size();
            return lane;
        });
        return n[0];
    }

    private void lead(String key) {
        List<Queued<?>> batch = new ArrayList<>();
        Lane[] mine = new Lane[1];
        lanes.computeIfPresent(key, (k, lane) -> {
            while (!lane.waiting.isEmpty() && batch.size() < maxSize) {
                batch.add(lane.waiting.poll());
            }
            mine[0] = lane;
            return lane;
        });
        try {
            run(batch, mine[0]);
        } finally {
            for (Queued<?> q : batch) {
                q.failIfUnanswered();
            }
            lanes.compute(key, (k, lane) -> {
                if (lane.waiting.isEmpty()) {
                    return null;
                }
                lane.waiting.peek().lead();
                return lane;
            });
        }
    }

    private void run(List<Queued<?>> batch, Lane lane) {
        batchSizes.record(batch.size());
        if (batch.size() == 1) {
            batch.get(0).runAlone(transactions);
            return;
        }
        Outcome[] outcomes = new Outcome[batch.size()];
        try {
            boolean committed = false;
            if (!lane.savepointsFirst) {
                try {
                    QuarkusTransaction.requiringNew().call(() -> runInOne(batch, outcomes, false));
                    committed = true;
                } catch (RuntimeException failed) {
                    if (!FirstPassFailed.in(failed)) {
                        throw failed;
                    }
                    secondPasses.increment();
                }
            }
            if (!committed) {
                lane.savepointsFirst = QuarkusTransaction.requiringNew().call(() -> runInOne(batch, outcomes, true));
            }
        } catch (RuntimeException failed) {
            LOG.debugf("a shared transaction of %d works failed (%s); running each alone", batch.size(),
                    failed.getClass().getSimpleName());
            for (Queued<?> q : batch) {
                reruns.increment();
                q.runAlone(transactions);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes[i].retryAlone()) {
                reruns.increment();
                batch.get(i).runAlone(transactions);
            } else {
                batch.get(i).answer(outcomes[i]);
            }
        }
    }

    /**
     * Runs the batch's works in the current transaction, in order. Without {@code savepoints} (the
     * first pass) the first work that throws ends the pass: {@link FirstPassFailed} rolls the whole
     * transaction back, and the batch runs again with them. With savepoints, a work that throws is
     * rolled back to its own. Answers whether a work failed (the lane's next batch then starts with
     * savepoints).
     */
    private boolean runInOne(List<Queued<?>> batch, Outcome[] outcomes, boolean savepoints) throws SQLException {
        int[] marks = new int[participants.size()];
        boolean anyFailed = false;
        try (Connection c = dataSource.getConnection(); Statement statement = c.createStatement()) {
            for (int i = 0; i < batch.size(); i++) {
                for (int p = 0; p < marks.length; p++) {
                    marks[p] = participants.get(p).mark();
                }
                if (savepoints) {
                    // Not released: the next savepoint nests in it, one round trip per work instead of two.
                    statement.execute(SAVEPOINT);
                }
                try {
                    outcomes[i] = Outcome.of(batch.get(i).work.call());
                } catch (Exception e) {
                    if (Jdbc.isConnectionLoss(e)) {
                        throw e instanceof RuntimeException r ? r : new QuarkusTransactionException(e);
                    }
                    if (!savepoints) {
                        throw new FirstPassFailed(e);
                    }
                    anyFailed = true;
                    statement.execute(ROLLBACK_TO_SAVEPOINT);
                    for (int p = marks.length - 1; p >= 0; p--) {
                        participants.get(p).rollbackTo(marks[p]);
                    }
                    if (QuarkusTransaction.isRollbackOnly()) {
                        // A bean's interceptor doomed the transaction for this failure: nothing of it will commit.
                        throw new IllegalStateException("a work marked the shared transaction rollback-only", e);
                    }
                    outcomes[i] = Transactions.isRetryable(e) ? Outcome.RETRY_ALONE : Outcome.failed(e);
                }
            }
        }
        return anyFailed;
    }

    /** A work failed in a batch's first pass, which has no savepoints: the pass is rolled back as a whole. */
    private static final class FirstPassFailed extends RuntimeException {
        FirstPassFailed(Exception cause) {
            super("a work failed in a batch's first pass", cause, false, false);
        }

        static boolean in(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof FirstPassFailed) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The works of one key: those waiting, and whether a batch of it runs (changed only inside the
     * map's compute); and whether its next batch starts with savepoints (written by its leader only).
     */
    private static final class Lane {
        final ArrayDeque<Queued<?>> waiting = new ArrayDeque<>();
        boolean running;
        volatile boolean savepointsFirst;
    }

    /** What a work did in a shared transaction. */
    private record Outcome(Object result, RuntimeException failure, boolean retryAlone) {
        static final Outcome RETRY_ALONE = new Outcome(null, null, true);

        static Outcome of(Object result) {
            return new Outcome(result, null, false);
        }

        static Outcome failed(Exception e) {
            return new Outcome(null, e instanceof RuntimeException r ? r : new QuarkusTransactionException(e), false);
        }
    }

    /** A caller's work and, once its batch has committed, its answer; or its turn to lead a batch. */
    private static final class Queued<A> {
        final Callable<A> work;
        private A result;
        private RuntimeException failure;
        private boolean answered;
        private boolean leading;

        Queued(Callable<A> work) {
            this.work = work;
        }

        synchronized void lead() {
            leading = true;
            notifyAll();
        }

        @SuppressWarnings("unchecked")
        synchronized void answer(Outcome outcome) {
            result = (A) outcome.result();
            failure = outcome.failure();
            answered = true;
            notifyAll();
        }

        void runAlone(Transactions transactions) {
            try {
                answer(Outcome.of(transactions.inNewTransaction(work)));
            } catch (RuntimeException e) {
                answer(Outcome.failed(e));
            }
        }

        synchronized void failIfUnanswered() {
            if (!answered) {
                answer(Outcome.failed(new IllegalStateException("the shared transaction ended without an answer")));
            }
        }

        /** Waits to be answered (false) or to lead a batch (true); a leader is never abandoned, so waits through interrupts. */
        synchronized boolean awaitTurn() {
            boolean interrupted = false;
            while (!answered && !leading) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return !answered;
        }

        synchronized A resultOrFailure() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }
}
