package dev.tollgate.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import dev.tollgate.platform.tx.SavepointParticipant;

/**
 * What happens to a ledger entry once, and only if, the transaction that wrote it commits: it is
 * counted by the {@link LedgerMeters} and its account is announced by the
 * {@link BalanceChangeNotifier}. One interposed synchronization per transaction, whatever the
 * number of entries; a rolled-back entry (a replay, a failure later in the transaction, a work
 * of a shared transaction rolled back to its savepoint) has no effect on either.
 */
@ApplicationScoped
class CommittedEntries implements SavepointParticipant {

    private static final Object TRANSACTION_KEY = new Object();

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Inject
    LedgerMeters meters;

    @Inject
    BalanceChangeNotifier notifier;

    /** Hands the entry on once the current transaction has committed. */
    void add(LedgerEntry entry) {
        OfTransaction entries = (OfTransaction) transactions.getResource(TRANSACTION_KEY);
        if (entries == null) {
            entries = new OfTransaction(this);
            try {
                transactions.registerInterposedSynchronization(entries);
            } catch (IllegalStateException e) {
                // Marked for rollback or completing: nothing of it will commit.
                return;
            }
            transactions.putResource(TRANSACTION_KEY, entries);
        }
        entries.list.add(entry);
    }

    /** How many entries the current transaction has handed on so far. */
    @Override
    public int mark() {
        OfTransaction entries = (OfTransaction) transactions.getResource(TRANSACTION_KEY);
        return entries == null ? 0 : entries.list.size();
    }

    /** Forgets the entries handed on since {@code mark}: they were rolled back to a savepoint. */
    @Override
    public void rollbackTo(int mark) {
        OfTransaction entries = (OfTransaction) transactions.getResource(TRANSACTION_KEY);
        if (entries != null && entries.list.size() > mark) {
            entries.list.subList(mark, entries.list.size()).clear();
        }
    }

    void committed(List<LedgerEntry> entries) {
        entries.forEach(meters::count);
        if (entries.size() == 1) {
            notifier.committed(entries.get(0).userId(), entries.get(0).id());
            return;
        }
        // The latest entry per account.
        Map<String, Long> latest = new HashMap<>();
        for (LedgerEntry entry : entries) {
            latest.merge(entry.userId(), entry.id(), Math::max);
        }
        latest.forEach(notifier::committed);
    }

    /** The entries one transaction wrote (nearly always one or two). */
    private static final class OfTransaction implements Synchronization {

        private final CommittedEntries hooks;
        private final List<LedgerEntry> list = new ArrayList<>(2);

        OfTransaction(CommittedEntries hooks) {
            this.hooks = hooks;
        }

        @Override
        public void beforeCompletion() {
            // Nothing: only the outcome matters.
        }

        @Override
        public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED && !list.isEmpty()) {
                hooks.committed(list);
            }
        }
    }
}
