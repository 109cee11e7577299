package dev.tollgate.purchase;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import dev.tollgate.platform.idempotency.StoredRequest;

/**
 * A credit pack a user buys, and what Stripe's webhooks said of its payment. Its balance effects
 * are ledger entries, which {@link PurchaseReconciler} writes; the amounts here say how far they went.
 */
@Entity
@Table(name = "credit_purchase")
public class CreditPurchase extends PanacheEntityBase implements StoredRequest {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false, length = 255)
    public String userId;

    @Column(name = "pack_id", nullable = false, length = 64)
    public String packId;

    @Column(name = "credits_millicredits", nullable = false)
    public long creditsMillicredits;

    @Column(name = "amount_minor", nullable = false)
    public long amountMinor;

    @Column(nullable = false, length = 3)
    public String currency;

    /** A {@link PurchaseStatus} as written on the wire. */
    @Column(nullable = false, length = 24)
    public String status;

    @Column(name = "idempotency_key", nullable = false, length = 255)
    public String idempotencyKey;

    @Column(name = "request_hash", nullable = false, length = 64)
    public String requestHash;

    @Column(name = "checkout_session_id", length = 255)
    public String checkoutSessionId;

    @Column(name = "checkout_url")
    public String checkoutUrl;

    @Column(name = "payment_intent_id", length = 255)
    public String paymentIntentId;

    /** Stripe said the payment succeeded. */
    @Column(nullable = false)
    public boolean paid;

    @Column(name = "paid_amount_minor")
    public Long paidAmountMinor;

    @Column(name = "paid_currency", length = 3)
    public String paidCurrency;

    /** Why nothing was granted for a payment that does not match the pack; null if it matched. */
    @Column(name = "flagged_reason")
    public String flaggedReason;

    @Column(name = "granted_millicredits", nullable = false)
    public long grantedMillicredits;

    @Column(name = "clawed_back_millicredits", nullable = false)
    public long clawedBackMillicredits;

    /** Credits a refund or dispute should have taken back that were spent already. */
    @Column(name = "unrecovered_millicredits", nullable = false)
    public long unrecoveredMillicredits;

    /** Ledger entries written after the grant; each takes a derived key of its own. */
    @Column(name = "ledger_steps", nullable = false)
    public int ledgerSteps;

    /** {@code checkout} (bought by the user) or {@code auto_top_up} (queued when the balance fell below the threshold). */
    @Column(nullable = false, length = 16)
    public String origin;

    /** Why an auto top-up's payment failed; null otherwise. */
    @Column
    public String failure;

    @Column(name = "charge_attempted_at")
    public Instant chargeAttemptedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Override
    public String requestHash() {
        return requestHash;
    }

    public PurchaseStatus status() {
        return PurchaseStatus.ofWire(status);
    }
}
