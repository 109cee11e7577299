package dev.tollgate.purchase;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.webhook.WebhookEventTypes;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * Charges the queued auto top-ups (the database queues them, see {@code V11__auto_top_up.sql}):
 * each is claimed under a row lock (SKIP LOCKED, so concurrent runs share the queue), charged to
 * the saved card outside any transaction under Stripe's idempotency key of the purchase, and left
 * pending for {@code payment_intent.succeeded} to grant. A declined card fails the top-up and counts
 * against the auto top-up; Stripe unreachable leaves it for a later run.
 */
@ApplicationScoped
public class TopUps {

    /** How long a claimed top-up is left to the run that claimed it before another run retries it. */
    static final Duration RETRY_AFTER = Duration.ofMinutes(5);
    static final int BATCH = 100;
    private static final Logger LOG = Logger.getLogger(TopUps.class);

    @Inject
    StripeGateway stripe;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    @Inject
    WebhookOutbox webhooks;

    public record Outcome(int charged, int declined, int unavailable) {
    }

    public Outcome chargeDue() {
        int charged = 0;
        int declined = 0;
        int unavailable = 0;
        for (UUID id : transactions.inNewTransaction(this::claimDue)) {
            Optional<Charge> charge = transactions.inNewTransaction(() -> chargeOf(id));
            if (charge.isEmpty()) {
                continue;
            }
            try {
                String paymentIntent = stripe.chargeOffSession(charge.get().topUp(), charge.get().customer(),
                        charge.get().paymentMethod());
                transactions.inNewTransaction(() -> recordPaymentIntent(id, paymentIntent));
                charged++;
            } catch (PaymentDeclinedException e) {
                transactions.inNewTransaction(() -> {
                    fail(id, e.getMessage());
                    return null;
                });
                declined++;
            } catch (PaymentProviderException e) {
                LOG.warnf("auto top-up %s not charged now: %s", id, e.getMessage());
                unavailable++;
            }
        }
        return new Outcome(charged, declined, unavailable);
    }

    /** Fails a pending auto top-up (once), counting it against the user's auto top-up. */
    void fail(UUID id, String why) {
        CreditPurchase topUp = CreditPurchase.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (topUp == null || !topUp.status().equals(PurchaseStatus.PENDING) || topUp.paid) {
            return;
        }
        Instant now = clock.instant();
        topUp.status = PurchaseStatus.FAILED.wire();
        topUp.failure = why;
        topUp.updatedAt = now;
        AutoTopUp rule = AutoTopUp.findById(topUp.userId, LockModeType.PESSIMISTIC_WRITE);
        boolean wasEnabled = rule != null && rule.enabled;
        if (rule != null) {
            rule.failed(why, now);
        }
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("purchaseId", id.toString());
        failed.put("reason", why);
        failed.put("consecutiveFailures", rule == null ? 0 : rule.consecutiveFailures);
        webhooks.publish(topUp.userId, WebhookEventTypes.AUTO_TOP_UP_FAILED, failed);
        if (wasEnabled && !rule.enabled) {
            webhooks.publish(topUp.userId, WebhookEventTypes.AUTO_TOP_UP_DISABLED, Map.of("reason", rule.disabledReason,
                    "consecutiveFailures", rule.consecutiveFailures));
        }
        LOG.warnf("auto top-up %s of %s failed: %s", id, topUp.userId, why);
    }

    private List<UUID> claimDue() {
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<UUID> due = CreditPurchase.getEntityManager().createNativeQuery("""
                UPDATE credit_purchase SET charge_attempted_at = ?1
                 WHERE id IN (SELECT id FROM credit_purchase
                               WHERE origin = 'auto_top_up' AND status = 'pending'
                                 AND (charge_attempted_at IS NULL OR charge_attempted_at < ?2)
                               ORDER BY created_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
                RETURNING id""", UUID.class)
                .setParameter(1, now)
                .setParameter(2, now.minus(RETRY_AFTER))
                .setParameter(3, BATCH)
                .getResultList();
        return due;
    }

    private record Charge(CreditPurchase topUp, String customer, String paymentMethod) {
    }

    /** What to charge for a claimed top-up; empty (and the top-up failed) if auto top-up is off now. */
    private Optional<Charge> chargeOf(UUID id) {
        CreditPurchase topUp = CreditPurchase.findById(id);
        AutoTopUp rule = AutoTopUp.findById(topUp.userId);
        if (rule == null || !rule.enabled || rule.paymentMethodId == null || rule.stripeCustomerId == null) {
            topUp.status = PurchaseStatus.FAILED.wire();
            topUp.failure = "auto top-up was switched off before it was charged";
            topUp.updatedAt = clock.instant();
            return Optional.empty();
        }
        return Optional.of(new Charge(topUp, rule.stripeCustomerId, rule.paymentMethodId));
    }

    private Void recordPaymentIntent(UUID id, String paymentIntent) {
        CreditPurchase topUp = CreditPurchase.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (topUp.paymentIntentId == null) {
            topUp.paymentIntentId = paymentIntent;
            topUp.updatedAt = clock.instant();
        }
        return null;
    }
}
