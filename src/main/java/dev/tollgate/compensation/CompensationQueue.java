package dev.tollgate.compensation;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/**
 * Writes the durable to-do of a credit movement that could not be applied in line (for example a
 * settle that failed after the user got the answer); the compensation batch applies it later
 * through the ledger. Written in a transaction of its own, since the one that failed is gone.
 */
@ApplicationScoped
public class CompensationQueue {

    private static final Logger LOG = Logger.getLogger(CompensationQueue.class);

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /**
     * Queues a deferred charge. Idempotent by key per user: queuing the same movement twice keeps
     * one row.
     *
     * @return the compensation's id
     */
    public long deferCharge(String userId, String idempotencyKey, Millicredits amount, UUID reservationId,
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
            row.reservationId = reservationId;
            row.reason = reason;
            row.details = detailsJson;
            row.createdAt = now;
            row.updatedAt = now;
            row.persist();
            LOG.infof("queued compensation %d: deferred charge of %d millicredits for reservation %s", row.id,
                    amount.value(), reservationId);
            return row.id;
        });
    }
}
