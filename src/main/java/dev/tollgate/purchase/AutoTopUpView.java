package dev.tollgate.purchase;

import dev.tollgate.platform.money.Millicredits;

/**
 * A user's auto top-up: {@code paymentMethodSaved} false means nothing can be charged yet (the next
 * purchase saves the card); {@code disabledReason} says why it switched itself off.
 */
public record AutoTopUpView(boolean enabled, Long thresholdCredits, String packId, boolean paymentMethodSaved,
        int consecutiveFailures, String disabledReason) {

    static final AutoTopUpView NONE = new AutoTopUpView(false, null, null, false, 0, null);

    static AutoTopUpView of(AutoTopUp rule) {
        return rule == null ? NONE
                : new AutoTopUpView(rule.enabled, rule.thresholdMillicredits / Millicredits.PER_CREDIT,
                        rule.packId, rule.paymentMethodId != null, rule.consecutiveFailures, rule.disabledReason);
    }
}
