package dev.tollgate.purchase;

import java.math.BigInteger;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.vertx.core.json.JsonObject;

import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.platform.idempotency.DerivedKey;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.webhook.WebhookEventTypes;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * Brings a purchase's ledger entries in line with what Stripe said of its payment, whatever the
 * order and number of the events that said it: the state decides, never the event. Called with
 * the purchase row locked, so that concurrent deliveries apply one after the other, and each finds
 * the work of the one before it done.
 * <ul>
 * <li>Paid, and the payment matches the pack: the pack's credits are granted, once ({@code PURCHASE}
 * under the purchase's derived key).
 * <li>Refunded (in part) or disputed: the refunded share of the credits — all of them for a dispute —
 * is taken back ({@code CLAWBACK}) as far as the purchased bucket holds them unspent; the rest is
 * recorded as unrecovered.
 * <li>A dispute won: what it took back is given back ({@code PURCHASE}); what it could not take
 * back is no longer owed.
 * </ul>
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class PurchaseReconciler {

    static final String ACTOR = "system:stripe";
    private static final Logger LOG = Logger.getLogger(PurchaseReconciler.class);

    @Inject
    Ledger ledger;

    @Inject
    Clock clock;

    @Inject
    WebhookOutbox webhooks;

    /** The derived key of a purchase's grant. */
    static String grantKey(CreditPurchase purchase) {
        return DerivedKey.of("purchase", purchase.id.toString());
    }

    /** Applies what is due; {@code payment} is what Stripe said of the purchase's payment, if anything. */
    void reconcile(CreditPurchase purchase, Optional<StripePayment> payment) {
        if (purchase.paid && purchase.flaggedReason == null && purchase.grantedMillicredits == 0) {
            ledger.purchase(purchase.userId, Millicredits.of(purchase.creditsMillicredits),
                    mutation(purchase, grantKey(purchase), "pack paid", purchase.creditsMillicredits));
            purchase.grantedMillicredits = purchase.creditsMillicredits;
            webhooks.publish(purchase.userId, WebhookEventTypes.PURCHASE_COMPLETED, Map.of(
                    "purchaseId", purchase.id.toString(),
                    "origin", purchase.origin,
                    "creditsMillicredits", purchase.creditsMillicredits));
        }
        long target = takeBackTarget(purchase, payment);
        long counted = purchase.clawedBackMillicredits + purchase.unrecoveredMillicredits;
        if (target > counted) {
            takeBack(purchase, target - counted);
        } else if (target < counted) {
            giveBack(purchase, counted - target);
        }
        purchase.status = status(purchase, payment).wire();
        purchase.updatedAt = clock.instant();
    }

    /**
     * The credits a refund of {@code refundedMinor} out of {@code amountMinor} takes back from a
     * pack of {@code credits}: the same share, rounded up to the next millicredit (a refund never
     * leaves a fraction of a millicredit with the user), and never more than the pack.
     */
    static long refundedShare(long credits, long amountMinor, long refundedMinor) {
        if (refundedMinor <= 0) {
            return 0;
        }
        if (refundedMinor >= amountMinor) {
            return credits;
        }
        BigInteger[] quotient = BigInteger.valueOf(credits).multiply(BigInteger.valueOf(refundedMinor))
                .divideAndRemainder(BigInteger.valueOf(amountMinor));
        long share = quotient[0].longValueExact() + (quotient[1].signum() > 0 ? 1 : 0);
        return Math.min(credits, share);
    }

    private static long takeBackTarget(CreditPurchase purchase, Optional<StripePayment> payment) {
        if (purchase.grantedMillicredits == 0 || payment.isEmpty()) {
            return 0;
        }
        StripePayment p = payment.get();
        if (p.disputeTakesCredits()) {
            return purchase.grantedMillicredits;
        }
        return refundedShare(purchase.grantedMillicredits, amountPaid(purchase, p), p.refundedMinor);
    }

    private void takeBack(CreditPurchase purchase, long due) {
        long taken = ledger.clawBack(purchase.userId, Millicredits.of(due),
                        mutation(purchase, nextStepKey(purchase), "refunded or disputed", due))
                .map(entry -> -entry.purchasedDelta())
                .orElse(0L);
        purchase.clawedBackMillicredits += taken;
        purchase.unrecoveredMillicredits += due - taken;
        webhooks.publish(purchase.userId, WebhookEventTypes.PURCHASE_REFUNDED, Map.of(
                "purchaseId", purchase.id.toString(),
                "clawedBackMillicredits", taken,
                "unrecoveredMillicredits", due - taken,
                "totalClawedBackMillicredits", purchase.clawedBackMillicredits));
        if (taken < due) {
            LOG.warnf("purchase %s: %d millicredits could not be taken back (spent already)", purchase.id, due - taken);
        }
    }

    private void giveBack(CreditPurchase purchase, long excess) {
        long forgiven = Math.min(purchase.unrecoveredMillicredits, excess);
        purchase.unrecoveredMillicredits -= forgiven;
        long restored = excess - forgiven;
        if (restored > 0) {
            LedgerEntry entry = ledger.purchase(purchase.userId, Millicredits.of(restored),
                    mutation(purchase, nextStepKey(purchase), "dispute won", restored));
            purchase.clawedBackMillicredits -= entry.purchasedDelta();
        }
    }

    private static String nextStepKey(CreditPurchase purchase) {
        purchase.ledgerSteps++;
        return DerivedKey.of("purchase-step", purchase.id + ":" + purchase.ledgerSteps);
    }

    /** A ledger change of the purchase, under a derived key, with the Stripe ids in its audit row. */
    private static Mutation mutation(CreditPurchase purchase, String key, String reason, long amount) {
        String metadata = new JsonObject().put("reason", reason).put("purchaseId", purchase.id.toString())
                .put("packId", purchase.packId).put("checkoutSessionId", purchase.checkoutSessionId)
                .put("paymentIntentId", purchase.paymentIntentId).put("amountMillicredits", amount).encode();
        return new Mutation(key, RequestHash.of("purchase", key), ACTOR, null, null, null, null, metadata);
    }

    /** The status that what Stripe said gives: an unpaid purchase keeps its end (expired, failed) if it has one. */
    static PurchaseStatus status(CreditPurchase purchase, Optional<StripePayment> payment) {
        if (!purchase.paid) {
            PurchaseStatus now = purchase.status();
            return now == PurchaseStatus.EXPIRED || now == PurchaseStatus.FAILED ? now : PurchaseStatus.PENDING;
        }
        if (payment.isEmpty()) {
            return PurchaseStatus.PAID;
        }
        StripePayment p = payment.get();
        if (p.disputeTakesCredits()) {
            return PurchaseStatus.DISPUTED;
        }
        if (p.refundedMinor >= amountPaid(purchase, p)) {
            return PurchaseStatus.REFUNDED;
        }
        return p.refundedMinor > 0 ? PurchaseStatus.PARTIALLY_REFUNDED : PurchaseStatus.PAID;
    }

    /** The amount of the payment the refunds are a share of: Stripe's, or the pack's until Stripe names it. */
    private static long amountPaid(CreditPurchase purchase, StripePayment payment) {
        return payment.amountMinor != null ? payment.amountMinor : purchase.amountMinor;
    }
}
