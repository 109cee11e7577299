package dev.tollgate.purchase;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A user's auto top-up: below the threshold, a purchase of the pack is queued (by a trigger of the
 * database, in the transaction of the balance change) and charged to the saved card.
 */
@Entity
@Table(name = "credit_auto_top_up")
public class AutoTopUp extends PanacheEntityBase {

    /** Failed payments in a row after which auto top-up switches itself off. */
    static final int MAX_CONSECUTIVE_FAILURES = 3;

    @Id
    @Column(name = "user_id", length = 255)
    public String userId;

    @Column(nullable = false)
    public boolean enabled;

    @Column(name = "threshold_millicredits", nullable = false)
    public long thresholdMillicredits;

    @Column(name = "pack_id", nullable = false, length = 64)
    public String packId;

    @Column(name = "credits_millicredits", nullable = false)
    public long creditsMillicredits;

    @Column(name = "amount_minor", nullable = false)
    public long amountMinor;

    @Column(nullable = false, length = 3)
    public String currency;

    @Column(name = "stripe_customer_id", length = 255)
    public String stripeCustomerId;

    @Column(name = "payment_method_id", length = 255)
    public String paymentMethodId;

    @Column(name = "consecutive_failures", nullable = false)
    public int consecutiveFailures;

    @Column(name = "disabled_reason")
    public String disabledReason;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Counts a failed payment; the third in a row switches auto top-up off, with the reason. */
    void failed(String why, Instant now) {
        consecutiveFailures++;
        if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES && enabled) {
            enabled = false;
            disabledReason = consecutiveFailures + " payments in a row failed; the last: " + why;
        }
        updatedAt = now;
    }
}
