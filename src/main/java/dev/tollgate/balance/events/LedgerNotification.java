package dev.tollgate.balance.events;

import java.util.Optional;

/**
 * One notification of the {@code credit_audit_log} trigger (migration V6): the ledger row
 * {@code entryId} changed the balance of {@code userId}; its transaction has committed.
 */
record LedgerNotification(long entryId, String userId) {

    /** Reads the payload {@code "<entry id>:<user id>"}; anything else is ignored. */
    static Optional<LedgerNotification> parse(String payload) {
        if (payload == null) {
            return Optional.empty();
        }
        int colon = payload.indexOf(':');
        if (colon <= 0 || colon == payload.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LedgerNotification(Long.parseLong(payload.substring(0, colon)), payload.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
