package dev.tollgate.purchase;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import dev.tollgate.ledger.Ledger;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.tx.Transactions;

/**
 * Reads and sets a user's auto top-up. Setting it on again clears the failures that switched it
 * off. Setting the same thing twice changes nothing: the call is idempotent by its nature (a PUT of
 * the whole setting), so it takes no idempotency key.
 */
@ApplicationScoped
public class AutoTopUpSettings {

    @Inject
    PurchaseService purchases;

    @Inject
    Ledger ledger;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    public AutoTopUpView of(String userId) {
        purchases.requireConfigured();
        return transactions.inNewTransaction(() -> AutoTopUpView.of(AutoTopUp.findById(userId)));
    }

    public AutoTopUpView set(String userId, AutoTopUpRequest request) {
        purchases.requireConfigured();
        boolean enabled = request.enabled();
        if (enabled && (request.thresholdCredits() == null || request.packId() == null)) {
            throw new InvalidRequestException("thresholdCredits and packId are required to switch auto top-up on.");
        }
        PurchasesConfig.Pack pack = request.packId() == null ? null : purchases.pack(request.packId());
        return transactions.inNewTransaction(() -> {
            ledger.ensureAccount(userId);
            AutoTopUp rule = AutoTopUp.findById(userId, LockModeType.PESSIMISTIC_WRITE);
            if (rule == null && !enabled) {
                return AutoTopUpView.NONE;
            }
            boolean created = rule == null;
            if (created) {
                rule = new AutoTopUp();
                rule.userId = userId;
            }
            rule.enabled = enabled;
            if (enabled) {
                rule.consecutiveFailures = 0;
                rule.disabledReason = null;
            }
            if (request.thresholdCredits() != null) {
                rule.thresholdMillicredits = request.thresholdCredits() * Millicredits.PER_CREDIT;
            }
            if (pack != null) {
                rule.packId = request.packId();
                rule.creditsMillicredits = Math.multiplyExact(pack.credits(), Millicredits.PER_CREDIT);
                rule.amountMinor = pack.price().amount();
                rule.currency = pack.price().currency();
            }
            rule.updatedAt = clock.instant();
            if (created) {
                rule.persist();
            }
            return AutoTopUpView.of(rule);
        });
    }
}
