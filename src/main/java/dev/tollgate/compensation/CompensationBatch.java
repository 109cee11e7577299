package dev.tollgate.compensation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.vertx.core.json.JsonObject;

import dev.tollgate.ledger.CreditHold;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Operation;
import dev.tollgate.metering.HoldSettlement;
import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.metering.UsageRow;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.Usage;

/**
 * Applies pending compensations through the ledger. Each row is applied in a transaction of its
 * own that locks it ({@code FOR UPDATE SKIP LOCKED}) and marks it {@code APPLIED} together with
 * the ledger entry, so a row is applied once even when two batches run at once or a batch dies
 * half-way. A row whose application fails is retried with exponential backoff and marked
 * {@code FAILED}, with its last error, after the configured attempts.
 *
 * <p>A deferred charge of a hold that is still held settles the hold (recording the usage the
 * failed settle could not); if the hold has been freed meanwhile, it becomes a plain charge that
 * writes that usage row in the same statement; if the settle it defers turns out to have committed
 * (its commit was cut and reported as failed), it is marked applied without moving credits.
 */
@ApplicationScoped
public class CompensationBatch {

    static final String ACTOR = "job:process-compensations";
    private static final Logger LOG = Logger.getLogger(CompensationBatch.class);
    private static final String DUE = """
            SELECT id FROM credit_compensation WHERE status = 'PENDING' AND next_attempt_at <= ?
             ORDER BY next_attempt_at, id LIMIT ?""";
    private static final int MAX_ERROR_LENGTH = 500;

    @Inject
    Ledger ledger;

    @Inject
    UsageRecorder usageRecorder;

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    HoldSettlement holdSettlement;

    @Inject
    Transactions transactions;

    @Inject
    IdempotentMutations mutations;

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    /** What a batch did. */
    public record Outcome(int applied, int retried, int failed) {
    }

    public Outcome process(int batchSize, int maxBatches, int maxAttempts, Duration backoff) {
        int applied = 0;
        int retried = 0;
        int failed = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            List<Long> due = due(batchSize);
            for (long id : due) {
                switch (processOne(id, maxAttempts, backoff)) {
                    case APPLIED -> applied++;
                    case RETRY -> retried++;
                    case FAILED -> failed++;
                    case SKIPPED -> { }
                }
            }
            if (due.size() < batchSize) {
                break;
            }
        }
        return new Outcome(applied, retried, failed);
    }

    private enum Result {
        APPLIED, RETRY, FAILED, SKIPPED
    }

    private Result processOne(long id, int maxAttempts, Duration backoff) {
        try {
            return mutations.apply(() -> {
                CreditCompensation row = CreditCompensation.<CreditCompensation> find("id = ?1 and status = ?2", id,
                        CreditCompensation.Status.PENDING)
                        .withLock(LockModeType.PESSIMISTIC_WRITE)
                        .withHint("jakarta.persistence.lock.timeout", -2) // SKIP LOCKED
                        .firstResult();
                if (row == null) {
                    return Result.SKIPPED; // applied meanwhile, or another batch holds it
                }
                apply(row);
                markApplied(row);
                return Result.APPLIED;
            }, repeatOf(id)).value();
        } catch (RuntimeException e) {
            return transactions.inNewTransaction(() -> recordFailure(id, e, maxAttempts, backoff));
        }
    }

    /**
     * A repeat of a pending row's application: applied under its key before (by a run whose status
     * update was lost), then the row is marked applied. Anything else under the key is not this
     * compensation, and the row fails like any other.
     */
    private Repeat<Result> repeatOf(long id) {
        return Repeat.doneIf(
                () -> Optional.ofNullable(CreditCompensation.<CreditCompensation> findById(id))
                        .filter(row -> row.status == CreditCompensation.Status.PENDING),
                this::appliedBefore, row -> {
                    markApplied(row);
                    return Result.APPLIED;
                });
    }

    /** The ledger key a compensation is applied under: derived, so no client can have used it. */
    static String key(CreditCompensation row) {
        return DerivedKey.of("compensation", String.valueOf(row.id));
    }

    /** Whether the entry under the row's key is this compensation applied: its operation on its reference. */
    private boolean appliedBefore(CreditCompensation row) {
        return ledger.findByKey(row.userId, key(row)).filter(entry -> switch (row.kind) {
            case REFUND -> entry.operation() == Operation.REFUND && row.usageId != null && row.usageId.equals(entry.usageId());
            case CHARGE -> entry.is(Operation.SETTLE, row.holdId)
                    || (entry.operation() == Operation.CHARGE && Objects.equals(row.holdId, entry.holdId()));
        }).isPresent();
    }

    private void apply(CreditCompensation row) {
        IdempotentRequest compensation = IdempotentRequest.derived(key(row), "compensation", row.id);
        Mutation mutation = new Mutation(compensation.key(), compensation.requestHash(), ACTOR, null, null, row.usageId,
                row.holdId, new JsonObject().put("compensation", row.id).put("reason", row.reason).encode());
        Millicredits amount = Millicredits.of(row.amountMillicredits);
        switch (row.kind) {
            case REFUND -> ledger.refund(row.userId, row.usageId, amount, mutation);
            case CHARGE -> {
                CreditHold hold = row.holdId == null ? null : CreditHold.findById(row.holdId);
                if (hold != null && hold.status == CreditHold.Status.HELD) {
                    holdSettlement.settle(usageRow(row, hold), mutation);
                } else if (hold != null && hold.status == CreditHold.Status.SETTLED
                        && ledger.findByKey(row.userId, Ledger.settleKey(hold.id))
                                .filter(entry -> entry.is(Operation.SETTLE, hold.id)).isPresent()) {
                    // The settle this row defers did commit after all (its commit was cut and reported as
                    // failed): the call is charged; charging it again would charge it twice.
                    LOG.warnf("compensation %d: hold %s was settled in line after all; nothing to charge", row.id,
                            hold.id);
                } else if (hold != null) {
                    // The hold was freed meanwhile (the expiry job took it while the settle waited): a
                    // plain charge, with the usage row of the call written by the same statement, so
                    // that the call is in the user's usage like any other (and nothing if refused); on a
                    // team pool it counts in the spending of the member who placed the hold.
                    ledger.chargeForFreedHold(row.userId, amount, mutation, usageRecorder.linkedRow(usageRow(row, hold)),
                            hold.memberId);
                } else {
                    ledger.charge(row.userId, amount, mutation);
                }
            }
        }
    }

    /** The usage row the failed settle could not write, from the compensation's details. */
    private UsageRow usageRow(CreditCompensation row, CreditHold hold) {
        JsonObject details = row.details == null ? new JsonObject() : new JsonObject(row.details);
        JsonObject usage = details.getJsonObject("usage", new JsonObject());
        Price price = meteredCalls.quotedPrice(hold);
        return new UsageRow(row.userId, details.getString("requestId", row.idempotencyKey),
                hold.model, details.getString("characterId"), details.getString("conversationId"),
                new Usage(usage.getLong("uncachedInput", 0L), usage.getLong("cachedInput", 0L),
                        usage.getLong("cacheWrite", 0L), usage.getLong("output", 0L), usage.getLong("reasoning", 0L)),
                details.getBoolean("estimated", false), price, Millicredits.of(row.amountMillicredits), hold.id);
    }

    private void markApplied(CreditCompensation row) {
        row.status = CreditCompensation.Status.APPLIED;
        row.updatedAt = clock.instant();
        LOG.infof("compensation %d applied (%s of %d millicredits)", row.id, row.kind, row.amountMillicredits);
    }

    private Result recordFailure(long id, RuntimeException failure, int maxAttempts, Duration backoff) {
        CreditCompensation row = CreditCompensation.findById(id);
        if (row == null || row.status != CreditCompensation.Status.PENDING) {
            return Result.SKIPPED;
        }
        Instant now = clock.instant();
        row.attempts++;
        row.lastError = describe(failure);
        row.updatedAt = now;
        if (row.attempts >= maxAttempts) {
            row.status = CreditCompensation.Status.FAILED;
            LOG.errorf("compensation %d FAILED after %d attempts: %s", row.id, row.attempts, row.lastError);
            return Result.FAILED;
        }
        // Exponential backoff, bounded: backoff, 2x, 4x, ... at most 64x.
        row.nextAttemptAt = now.plus(backoff.multipliedBy(1L << Math.min(row.attempts - 1, 6)));
        LOG.warnf("compensation %d failed (attempt %d): %s", row.id, row.attempts, row.lastError);
        return Result.RETRY;
    }

    private static String describe(RuntimeException failure) {
        String text = failure instanceof dev.tollgate.platform.problem.ProblemException problem
                ? String.valueOf(problem.problem().members().get("type")) + ": " + problem.getMessage()
                : failure.getClass().getSimpleName();
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }

    private List<Long> due(int batchSize) {
        return Rows.query(dataSource, "find due compensations", DUE, (c, ps) -> {
            Jdbc.setTime(ps, 1, clock.instant());
            ps.setInt(2, batchSize);
        }, rs -> rs.getLong(1));
    }
}
