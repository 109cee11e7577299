package dev.tollgate.purchase;

import java.time.Instant;

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
    public String userId;

    public boolean enabled;
    public long thresholdMillicredits;
    public String packId;
    public long creditsMillicredits;
    public long amountMinor;
    public String currency;
    public String stripeCustomerId;
    public String paymentMethodId;
    public int consecutiveFailures;
    public String disabledReason;
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
