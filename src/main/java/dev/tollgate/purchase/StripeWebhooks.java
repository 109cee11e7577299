package dev.tollgate.purchase;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Charge;
import com.stripe.model.Dispute;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeObject;
import com.stripe.model.checkout.Session;
import com.stripe.net.Webhook;

import dev.tollgate.platform.tx.Transactions;

/**
 * Stripe's events about purchases, verified by their signature ({@code stripe-java}'s
 * {@link Webhook}) and applied in one transaction each. An event only records what Stripe says of a
 * purchase or of its payment; {@link PurchaseReconciler} then brings the ledger in line. So an event
 * delivered twice, 50 times at once, or before the one it follows, ends in the same state.
 *
 * <p>Locks are taken in one order — the payment's row, then the purchase's, then the user's auto
 * top-up, then (in the ledger, or by the auto top-up's trigger) the account's — so that two events
 * never deadlock each other, nor a change of the auto top-up.
 */
@ApplicationScoped
public class StripeWebhooks {

    private static final Logger LOG = Logger.getLogger(StripeWebhooks.class);

    @Inject
    PurchasesConfig config;

    @Inject
    Transactions transactions;

    @Inject
    PurchaseReconciler reconciler;

    @Inject
    TopUps topUps;

    @Inject
    Clock clock;

    /** Verifies and applies one delivery; returns once its transaction has committed. */
    public void receive(String payload, String signature) {
        if (!config.configured()) {
            throw PurchaseProblem.notConfigured();
        }
        Event event = verified(payload, signature);
        Optional<StripeObject> object = dataObject(event);
        if (object.isEmpty()) {
            LOG.debugf("stripe event %s (%s) carries no object Tollgate reads", event.getId(), event.getType());
            return;
        }
        transactions.inNewTransaction(() -> {
            apply(event.getType(), object.get());
            return null;
        });
    }

    private Event verified(String payload, String signature) {
        if (signature == null || signature.isBlank()) {
            throw PurchaseProblem.badSignature();
        }
        try {
            return Webhook.constructEvent(payload, signature, config.stripe().webhookSecret().orElseThrow(),
                    config.stripe().webhookTolerance().toSeconds(), clock);
        } catch (SignatureVerificationException e) {
            throw PurchaseProblem.badSignature();
        } catch (RuntimeException e) {
            // Signed with our secret but not an event: nothing Stripe sends.
            throw PurchaseProblem.malformedEvent();
        }
    }

    private static Optional<StripeObject> dataObject(Event event) {
        if (event.getDataObjectDeserializer().getObject().isPresent()) {
            return event.getDataObjectDeserializer().getObject();
        }
        try {
            // An event of another API version than stripe-java's: the fields read here are stable across them.
            return Optional.ofNullable(event.getDataObjectDeserializer().deserializeUnsafe());
        } catch (EventDataObjectDeserializationException e) {
            LOG.warnf("stripe event %s (%s) could not be read: %s", event.getId(), event.getType(), e.getMessage());
            return Optional.empty();
        }
    }

    private void apply(String type, StripeObject object) {
        switch (type) {
            case "checkout.session.completed" -> {
                Session session = (Session) object;
                completed(session, "paid".equals(session.getPaymentStatus()));
            }
            case "checkout.session.async_payment_succeeded" -> completed((Session) object, true);
            case "checkout.session.expired" -> expired((Session) object);
            case "payment_intent.succeeded" -> paymentSucceeded((PaymentIntent) object);
            case "payment_intent.payment_failed" -> paymentFailed((PaymentIntent) object);
            case "charge.refunded" -> refunded((Charge) object);
            case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed" -> disputed((Dispute) object);
            default -> LOG.debugf("stripe event of type %s ignored", type);
        }
    }

    private void completed(Session session, boolean paid) {
        String paymentIntent = session.getPaymentIntent();
        if (paymentIntent != null) {
            recordPayment(paymentIntent, null, null, 0, null, null);
        }
        Optional<CreditPurchase> found = lockedBySession(session);
        if (found.isEmpty()) {
            return;
        }
        CreditPurchase purchase = found.get();
        if (purchase.paymentIntentId == null) {
            purchase.paymentIntentId = paymentIntent;
        }
        if (paid && !purchase.paid) {
            markPaid(purchase, session.getAmountTotal(), session.getCurrency());
        }
        reconciler.reconcile(purchase, payment(purchase));
    }

    /**
     * A payment of a purchase succeeded: the way an auto top-up is granted, and for a Checkout
     * purchase the same fact its session's completion reports. A payment that saved the card for
     * later (a purchase made with auto top-up on) arms the user's auto top-up with it.
     */
    private void paymentSucceeded(PaymentIntent payment) {
        recordPayment(payment.getId(), null, null, 0, null, null);
        Optional<CreditPurchase> found = lockedByMetadata(payment);
        if (found.isEmpty()) {
            return;
        }
        CreditPurchase purchase = found.get();
        // Before the ledger's account lock, as every path that takes both does.
        AutoTopUp rule = AutoTopUp.findById(purchase.userId, LockModeType.PESSIMISTIC_WRITE);
        if (purchase.paymentIntentId == null) {
            purchase.paymentIntentId = payment.getId();
        }
        if (!purchase.paid && purchase.paymentIntentId.equals(payment.getId())) {
            markPaid(purchase, payment.getAmountReceived() != null ? payment.getAmountReceived() : payment.getAmount(),
                    payment.getCurrency());
        }
        reconciler.reconcile(purchase, payment(purchase));
        if (rule == null) {
            return;
        }
        if ("auto_top_up".equals(purchase.origin)) {
            rule.consecutiveFailures = 0;
            rule.updatedAt = clock.instant();
        }
        if ("off_session".equals(payment.getSetupFutureUsage()) && payment.getPaymentMethod() != null
                && payment.getCustomer() != null && payment.getCustomer().equals(rule.stripeCustomerId)) {
            rule.paymentMethodId = payment.getPaymentMethod();
            rule.updatedAt = clock.instant();
        }
    }

    /** An auto top-up's payment failed (asynchronously): the top-up fails, and counts against auto top-up. */
    private void paymentFailed(PaymentIntent payment) {
        lockedByMetadata(payment).filter(purchase -> "auto_top_up".equals(purchase.origin)).ifPresent(purchase ->
                topUps.fail(purchase.id, payment.getLastPaymentError() != null
                        ? payment.getLastPaymentError().getMessage() : "the payment failed"));
    }

    private void expired(Session session) {
        lockedBySession(session).ifPresent(purchase -> {
            if (!purchase.paid) {
                purchase.status = PurchaseStatus.EXPIRED.wire();
            }
            reconciler.reconcile(purchase, payment(purchase));
        });
    }

    private void refunded(Charge charge) {
        if (charge.getPaymentIntent() == null) {
            return;
        }
        recordPayment(charge.getPaymentIntent(), charge.getId(), charge.getAmount(),
                charge.getAmountRefunded() == null ? 0 : charge.getAmountRefunded(), null, null);
        lockedByPayment(charge.getPaymentIntent())
                .ifPresent(purchase -> reconciler.reconcile(purchase, payment(purchase)));
    }

    private void disputed(Dispute dispute) {
        if (dispute.getPaymentIntent() == null) {
            return;
        }
        recordPayment(dispute.getPaymentIntent(), dispute.getCharge(), null, 0, dispute.getId(), dispute.getStatus());
        lockedByPayment(dispute.getPaymentIntent())
                .ifPresent(purchase -> reconciler.reconcile(purchase, payment(purchase)));
    }

    /**
     * Records what an event says of a payment, never losing what an earlier one said: the refunded
     * amount only grows, and a closed dispute stays closed. Locks the payment's row.
     */
    private void recordPayment(String paymentIntent, String chargeId, Long amount, long refunded, String disputeId,
            String disputeStatus) {
        StripePayment.getEntityManager().createNativeQuery("""
                INSERT INTO stripe_payment (payment_intent_id, charge_id, amount_minor, refunded_minor, dispute_id,
                       dispute_status, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (payment_intent_id) DO UPDATE SET
                    charge_id = COALESCE(excluded.charge_id, stripe_payment.charge_id),
                    amount_minor = COALESCE(excluded.amount_minor, stripe_payment.amount_minor),
                    refunded_minor = GREATEST(stripe_payment.refunded_minor, excluded.refunded_minor),
                    dispute_id = COALESCE(excluded.dispute_id, stripe_payment.dispute_id),
                    dispute_status = CASE
                        WHEN stripe_payment.dispute_status IN ('won', 'lost', 'warning_closed')
                          OR excluded.dispute_status IS NULL THEN stripe_payment.dispute_status
                        ELSE excluded.dispute_status END,
                    updated_at = excluded.updated_at""")
                .setParameter(1, paymentIntent)
                .setParameter(2, chargeId)
                .setParameter(3, amount)
                .setParameter(4, refunded)
                .setParameter(5, disputeId)
                .setParameter(6, disputeStatus)
                .setParameter(7, clock.instant())
                .executeUpdate();
    }

    private static Optional<StripePayment> payment(CreditPurchase purchase) {
        return purchase.paymentIntentId == null ? Optional.empty()
                : StripePayment.findByIdOptional(purchase.paymentIntentId);
    }

    private static Optional<CreditPurchase> lockedBySession(Session session) {
        UUID id = purchaseId(session.getClientReferenceId());
        CreditPurchase purchase = id == null ? null : CreditPurchase.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (purchase == null || (purchase.checkoutSessionId != null && !purchase.checkoutSessionId.equals(session.getId()))) {
            LOG.warnf("stripe checkout session %s names no purchase of Tollgate's (client_reference_id %s); ignored",
                    session.getId(), session.getClientReferenceId());
            return Optional.empty();
        }
        if (purchase.checkoutSessionId == null) {
            purchase.checkoutSessionId = session.getId();
        }
        return Optional.of(purchase);
    }

    private static Optional<CreditPurchase> lockedByPayment(String paymentIntent) {
        return CreditPurchase.<CreditPurchase> find("paymentIntentId", paymentIntent)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    private static UUID purchaseId(String reference) {
        if (reference == null) {
            return null;
        }
        try {
            return UUID.fromString(reference);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The purchase is paid; a payment that does not match its pack is flagged, and grants nothing. */
    private static void markPaid(CreditPurchase purchase, Long amount, String currency) {
        purchase.paid = true;
        purchase.paidAmountMinor = amount;
        purchase.paidCurrency = currency;
        purchase.flaggedReason = mismatch(purchase);
        if (purchase.flaggedReason != null) {
            LOG.warnf("purchase %s flagged, nothing granted: %s", purchase.id, purchase.flaggedReason);
        }
    }

    private static Optional<CreditPurchase> lockedByMetadata(PaymentIntent payment) {
        UUID id = purchaseId(payment.getMetadata() == null ? null : payment.getMetadata().get("purchase_id"));
        return id == null ? Optional.empty()
                : Optional.ofNullable(CreditPurchase.<CreditPurchase> findById(id, LockModeType.PESSIMISTIC_WRITE));
    }

    /** Why a payment does not match its pack, or null if it matches. */
    private static String mismatch(CreditPurchase purchase) {
        if (purchase.paidAmountMinor == null || purchase.paidAmountMinor != purchase.amountMinor
                || purchase.paidCurrency == null || !purchase.paidCurrency.equalsIgnoreCase(purchase.currency)) {
            return "paid " + purchase.paidAmountMinor + " " + purchase.paidCurrency + " for a pack of "
                    + purchase.amountMinor + " " + purchase.currency;
        }
        return null;
    }
}
