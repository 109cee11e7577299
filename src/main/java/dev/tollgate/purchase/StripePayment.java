package dev.tollgate.purchase;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * What Stripe's events said of one payment (a PaymentIntent): how much of it was refunded, and
 * its dispute. Kept by the payment rather than by the purchase, so that an event that arrives
 * before the purchase knows its payment is not lost.
 */
@Entity
public class StripePayment extends PanacheEntityBase {

    @Id
    public String paymentIntentId;

    public String chargeId;
    public Long amountMinor;

    /** The refunded part of the amount, as Stripe counts it (it only grows). */
    public long refundedMinor;

    public String disputeId;

    /** Stripe's dispute status ({@code needs_response}, {@code won}, {@code lost}, ...); null: none. */
    public String disputeStatus;

    public Instant updatedAt;

    /** Whether the dispute takes the payment's credits back: open, or lost. */
    public boolean disputeTakesCredits() {
        return disputeStatus != null && !disputeStatus.equals("won") && !disputeStatus.equals("warning_closed");
    }
}
