package dev.tollgate.balance.events;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.ledger.BalanceChangeNotifier;

/**
 * One announced balance change ({@link BalanceChangeNotifier}): the ledger row {@code entryId}
 * changed the balance of {@code userId}; its transaction has committed.
 */
record LedgerNotification(long entryId, String userId) {

    /** Reads the payload, lines {@code "<entry id>:<user id>"}; lines of another shape are ignored. */
    static List<LedgerNotification> parse(String payload) {
        List<LedgerNotification> changes = new ArrayList<>();
        if (payload == null) {
            return changes;
        }
        for (String line : payload.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0 || colon == line.length() - 1) {
                continue;
            }
            try {
                changes.add(new LedgerNotification(Long.parseLong(line.substring(0, colon)), line.substring(colon + 1)));
            } catch (NumberFormatException e) {
                // Not ours: ignored.
            }
        }
        return changes;
    }
}
