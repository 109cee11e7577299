package dev.tollgate.purchase;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * What Stripe's events said of one payment (a PaymentIntent): how much of it was refunded, and
 * its dispute. Kept by the payment rather than by the purchase, so that an event that arrives
 * before the purchase knows its payment is not lost.
 */
@Entity
@Table(name = "stripe_payment")
public class StripePayment extends PanacheEntityBase {

    @Id
    @Column(name = "payment_intent_id", length = 255)
    public String paymentIntentId;

    @Column(name = "charge_id", length = 255)
    public String chargeId;

    @Column(name = "amount_minor")
    public Long amountMinor;

    /** The refunded part of the amount, as Stripe counts it (it only grows). */
    @Column(name = "refunded_minor", nullable = false)
    public long refundedMinor;

    @Column(name = "dispute_id", length = 255)
    public String disputeId;

    /** Stripe's dispute status ({@code needs_response}, {@code won}, {@code lost}, ...); null: none. */
    @Column(name = "dispute_status", length = 32)
    public String disputeStatus;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Whether the dispute takes the payment's credits back: open, or lost. */
    public boolean disputeTakesCredits() {
        return disputeStatus != null && !disputeStatus.equals("won") && !disputeStatus.equals("warning_closed");
    }
}
