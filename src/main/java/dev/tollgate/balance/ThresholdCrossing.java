package dev.tollgate.balance;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.webhook.WebhookEventTypes;

/**
 * The thresholds one change of the available balance crosses, for the webhook events of the
 * warning levels ({@link WarningLevel}): going down, to or below the low threshold
 * ({@code balance.low}), the critical one ({@code balance.critical}) and zero
 * ({@code balance.depleted}), each that the change passes, in that order; going up, above the low
 * threshold again ({@code balance.recovered}). A change within one side of a threshold crosses
 * nothing, so each event fires once per crossing and is armed again by the crossing back. A
 * threshold of zero is no threshold of its own: zero is {@code depleted}'s.
 */
public record ThresholdCrossing(String eventType, long thresholdMillicredits) {

    /** Every crossing of {@code before -> after} under these thresholds; empty for most changes. */
    public static List<ThresholdCrossing> of(long before, long after, long low, long critical) {
        if (before == after) {
            return List.of();
        }
        List<ThresholdCrossing> crossed = new ArrayList<>(3);
        if (after < before) {
            if (low > 0 && before > low && after <= low) {
                crossed.add(new ThresholdCrossing(WebhookEventTypes.BALANCE_LOW, low));
            }
            if (critical > 0 && before > critical && after <= critical) {
                crossed.add(new ThresholdCrossing(WebhookEventTypes.BALANCE_CRITICAL, critical));
            }
            if (before > 0 && after <= 0) {
                crossed.add(new ThresholdCrossing(WebhookEventTypes.BALANCE_DEPLETED, 0));
            }
        } else if (before <= low && after > low) {
            crossed.add(new ThresholdCrossing(WebhookEventTypes.BALANCE_RECOVERED, low));
        }
        return crossed;
    }
}
