package dev.tollgate.webhook;

import java.util.List;
import java.util.Set;

/**
 * The event types Tollgate publishes to webhook endpoints; an endpoint subscribes to some of them
 * (or, with none named, to all). Publishing a type not listed here is a bug.
 */
public final class WebhookEventTypes {

    /** A purchase's credits were granted. */
    public static final String PURCHASE_COMPLETED = "purchase.completed";
    /** Credits of a purchase were taken back after a refund or a dispute. */
    public static final String PURCHASE_REFUNDED = "purchase.refunded";
    /** An auto top-up's payment failed. */
    public static final String AUTO_TOP_UP_FAILED = "auto_top_up.failed";
    /** Auto top-up switched itself off after failed payments. */
    public static final String AUTO_TOP_UP_DISABLED = "auto_top_up.disabled";
    /** The available balance went to or below the low threshold. */
    public static final String BALANCE_LOW = "balance.low";
    /** The available balance went to or below the critical threshold. */
    public static final String BALANCE_CRITICAL = "balance.critical";
    /** The available balance went to zero. */
    public static final String BALANCE_DEPLETED = "balance.depleted";
    /** The available balance went back above the low threshold. */
    public static final String BALANCE_RECOVERED = "balance.recovered";
    /** Granted credits expire soon. */
    public static final String GRANT_EXPIRING = "grant.expiring";
    /** Granted credits expired. */
    public static final String GRANT_EXPIRED = "grant.expired";
    /** The balance is predicted to run out soon at the account's pace of spending. */
    public static final String BALANCE_DEPLETION_PREDICTED = "balance.depletion_predicted";

    /** Every type, in the order the documentation lists them. */
    public static final List<String> ALL = List.of(PURCHASE_COMPLETED, PURCHASE_REFUNDED, AUTO_TOP_UP_FAILED,
            AUTO_TOP_UP_DISABLED, BALANCE_LOW, BALANCE_CRITICAL, BALANCE_DEPLETED, BALANCE_RECOVERED, GRANT_EXPIRING,
            GRANT_EXPIRED, BALANCE_DEPLETION_PREDICTED);

    private static final Set<String> KNOWN = Set.copyOf(ALL);

    private WebhookEventTypes() {
    }

    public static boolean isKnown(String type) {
        return type != null && KNOWN.contains(type);
    }
}
