package dev.tollgate.ledger;

import java.util.HashMap;
import java.util.Map;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;

/**
 * The ledger entries one transaction wrote, per account (the latest one each), handed to the
 * {@link BalanceChangeNotifier} if and only if the transaction commits. Nearly every transaction
 * changes one account, which takes no map.
 */
final class TransactionChanges implements Synchronization {

    private final BalanceChangeNotifier notifier;
    private String firstUser;
    private long firstEntryId;
    private Map<String, Long> otherUsers;

    TransactionChanges(BalanceChangeNotifier notifier) {
        this.notifier = notifier;
    }

    void add(String userId, long entryId) {
        if (firstUser == null || firstUser.equals(userId)) {
            firstUser = userId;
            firstEntryId = Math.max(firstEntryId, entryId);
            return;
        }
        if (otherUsers == null) {
            otherUsers = new HashMap<>();
        }
        otherUsers.merge(userId, entryId, Math::max);
    }

    @Override
    public void beforeCompletion() {
        // Nothing: only the outcome matters.
    }

    @Override
    public void afterCompletion(int status) {
        if (status != Status.STATUS_COMMITTED || firstUser == null) {
            return;
        }
        notifier.committed(firstUser, firstEntryId);
        if (otherUsers != null) {
            otherUsers.forEach(notifier::committed);
        }
    }
}
