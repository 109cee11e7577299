package dev.tollgate.purchase;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import dev.tollgate.platform.idempotency.StoredRequest;

/**
 * A credit pack a user buys, and what Stripe's webhooks said of its payment. Its balance effects
 * are ledger entries, which {@link PurchaseReconciler} writes; the amounts here say how far they went.
 */
@Entity
public class CreditPurchase extends PanacheEntityBase implements StoredRequest {

    @Id
    public UUID id;

    public String userId;
    public String packId;
    public long creditsMillicredits;
    public long amountMinor;
    public String currency;

    /** A {@link PurchaseStatus} as written on the wire. */
    public String status;

    public String idempotencyKey;
    public String requestHash;
    public String checkoutSessionId;
    public String checkoutUrl;
    public String paymentIntentId;

    /** Stripe said the payment succeeded. */
    public boolean paid;

    public Long paidAmountMinor;
    public String paidCurrency;

    /** Why nothing was granted for a payment that does not match the pack; null if it matched. */
    public String flaggedReason;

    public long grantedMillicredits;
    public long clawedBackMillicredits;

    /** Credits a refund or dispute should have taken back that were spent already. */
    public long unrecoveredMillicredits;

    /** Ledger entries written after the grant; each takes a derived key of its own. */
    public int ledgerSteps;

    /** {@code checkout} (bought by the user) or {@code auto_top_up} (queued when the balance fell below the threshold). */
    public String origin;

    /** Why an auto top-up's payment failed; null otherwise. */
    public String failure;

    public Instant chargeAttemptedAt;
    public Instant createdAt;
    public Instant updatedAt;

    @Override
    public String requestHash() {
        return requestHash;
    }

    public PurchaseStatus status() {
        return PurchaseStatus.ofWire(status);
    }
}
