package dev.tollgate.purchase;

import java.util.Locale;

/** Where a purchase stands, as the API and the database write it (lower case). */
public enum PurchaseStatus {
    /** Created; Checkout has not been paid (yet). */
    PENDING,
    /** Paid; the pack's credits were granted (unless the payment was flagged). */
    PAID,
    /** The Checkout Session expired unpaid. */
    EXPIRED,
    /** An auto top-up whose payment failed. */
    FAILED,
    /** The whole payment was refunded. */
    REFUNDED,
    /** Part of the payment was refunded. */
    PARTIALLY_REFUNDED,
    /** The payment is disputed, or the dispute was lost. */
    DISPUTED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PurchaseStatus ofWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
