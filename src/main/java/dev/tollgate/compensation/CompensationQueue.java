package dev.tollgate.compensation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/**
 * Writes the durable to-do of a credit movement that could not be applied in line (for example a
 * settle that failed after the user got the answer); the compensation batch applies it later
 * through the ledger. Written in a transaction of its own, since the one that failed is gone.
 *
 * <p>When the database is unreachable the to-do cannot be written either. A caller that has waited
 * for it long enough hands the charge over ({@link #deferChargeWhenReachable}), and a call that
 * could not free its unused hold hands the release over ({@link #releaseWhenReachable}): each is
 * kept in memory and written as soon as the database takes it, tried again after
 * {@link #HANDOFF_FIRST_PAUSE}, doubling up to {@link #HANDOFF_MAX_PAUSE}, for at most
 * {@link #HANDOFF_LIFETIME}. The expiry job of this process leaves their holds alone meanwhile
 * ({@link #waitingHoldIds}). Until then the movement exists only in this process: one that ends
 * first (a crash, a stop) loses it, says so at ERROR for each, and the hold is charged whole at its
 * expiry, as any call the app stopped in (its outcome unknown).
 */
@ApplicationScoped
public class CompensationQueue {

    private static final Logger LOG = Logger.getLogger(CompensationQueue.class);
    static final Duration HANDOFF_FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration HANDOFF_MAX_PAUSE = Duration.ofSeconds(15);
    static final Duration HANDOFF_LIFETIME = Duration.ofHours(1);
    /** Charges waiting for the database at once, at most; a further one is logged at ERROR and dropped. */
    static final int MAX_HANDOFFS = 10_000;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    private final Set<HandOff> waiting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "compensation-handoff");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Queues a deferred charge. Idempotent by key per user: queuing the same movement twice keeps
     * one row.
     *
     * @return the compensation's id
     */
    public long deferCharge(String userId, String idempotencyKey, Millicredits amount, UUID holdId,
            String reason, String detailsJson) {
        return transactions.inNewTransaction(() -> {
            CreditCompensation existing = CreditCompensation.find("userId = ?1 and idempotencyKey = ?2", userId,
                    idempotencyKey).firstResult();
            if (existing != null) {
                return existing.id;
            }
            Instant now = clock.instant();
            CreditCompensation row = new CreditCompensation();
            row.userId = userId;
            row.kind = CreditCompensation.Kind.CHARGE;
            row.amountMillicredits = amount.value();
            row.status = CreditCompensation.Status.PENDING;
            row.attempts = 0;
            row.nextAttemptAt = now;
            row.idempotencyKey = idempotencyKey;
            row.holdId = holdId;
            row.reason = reason;
            row.details = detailsJson;
            row.createdAt = now;
            row.updatedAt = now;
            row.persist();
            LOG.infof("queued compensation %d: deferred charge of %d millicredits for hold %s", row.id,
                    amount.value(), holdId);
            return row.id;
        });
    }

    /**
     * Queues a deferred charge as soon as the database takes it: for a caller that cannot write it now
     * because the database is unreachable and cannot wait longer. Returns at once; the charge is
     * written in the background (see the class comment), under the same key as {@link #deferCharge}.
     */
    public void deferChargeWhenReachable(String userId, String idempotencyKey, Millicredits amount, UUID holdId,
            String reason, String detailsJson) {
        handOver(new HandOff(userId, holdId, "the charge of " + amount.value() + " millicredits (key "
                + idempotencyKey + ")", () -> {
                    long id = deferCharge(userId, idempotencyKey, amount, holdId, reason, detailsJson);
                    LOG.infof("hold %s: the charge that waited for the database is compensation %d", holdId, id);
                }, System.nanoTime() + HANDOFF_LIFETIME.toNanos()));
    }

    /**
     * Frees an unused hold as soon as the database takes it: for a call that failed at the provider
     * without output (nothing to charge) while the database was unreachable. Returns at once;
     * {@code release} is run in the background (see the class comment).
     */
    public void releaseWhenReachable(String userId, UUID holdId, Runnable release) {
        handOver(new HandOff(userId, holdId, "the release of the unused hold", () -> {
            release.run();
            LOG.infof("hold %s: the release that waited for the database is done", holdId);
        }, System.nanoTime() + HANDOFF_LIFETIME.toNanos()));
    }

    private void handOver(HandOff handOff) {
        if (waiting.size() >= MAX_HANDOFFS) {
            LOG.errorf("hold %s: %d movements already wait for the database; %s is dropped",
                    handOff.holdId(), MAX_HANDOFFS, handOff.what());
            return;
        }
        waiting.add(handOff);
        LOG.warnf("hold %s: %s waits for the database (%d waiting); it is written once the database is back",
                handOff.holdId(), handOff.what(), waiting.size());
        schedule(handOff, HANDOFF_FIRST_PAUSE);
    }

    /** How many charges and releases wait for the database now. */
    public int waitingForDatabase() {
        return waiting.size();
    }

    /** The holds whose charge or release waits here for the database. */
    public Set<UUID> waitingHoldIds() {
        Set<UUID> holds = new HashSet<>();
        for (HandOff handOff : waiting) {
            holds.add(handOff.holdId());
        }
        return holds;
    }

    private void schedule(HandOff handOff, Duration pause) {
        try {
            retries.schedule(() -> tryToWrite(handOff, pause), pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            lost(handOff, "the application is stopping");
        }
    }

    private void tryToWrite(HandOff handOff, Duration lastPause) {
        try {
            handOff.write().run();
            waiting.remove(handOff);
        } catch (RuntimeException e) {
            if (!Jdbc.isConnectionLoss(e)) {
                LOG.errorf(e, "hold %s: %s could not be written", handOff.holdId(), handOff.what());
                waiting.remove(handOff);
            } else if (System.nanoTime() - handOff.giveUpAtNanos() > 0) {
                lost(handOff, "the database stayed unreachable for " + HANDOFF_LIFETIME);
            } else {
                Duration next = lastPause.multipliedBy(2).compareTo(HANDOFF_MAX_PAUSE) > 0 ? HANDOFF_MAX_PAUSE
                        : lastPause.multipliedBy(2);
                schedule(handOff, next);
            }
        }
    }

    private void lost(HandOff handOff, String why) {
        if (waiting.remove(handOff)) {
            LOG.errorf("hold %s of user %s: %s is LOST: %s; the hold is charged whole at its expiry",
                    handOff.holdId(), handOff.userId(), handOff.what(), why);
        }
    }

    /** At shutdown, every movement still waiting for the database is lost: each is logged with what it was. */
    @PreDestroy
    void stop() {
        retries.shutdownNow();
        for (HandOff handOff : Set.copyOf(waiting)) {
            lost(handOff, "the application stopped before the database came back");
        }
    }

    /** A movement kept until the database takes it: {@code write} writes it, {@code what} names it in logs. */
    private record HandOff(String userId, UUID holdId, String what, Runnable write, long giveUpAtNanos) {
    }
}
