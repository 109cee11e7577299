package dev.tollgate.testing;

import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;

import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.platform.tx.Transactions;

/**
 * What a {@code @QuarkusTest} that drives the ledger directly shares: the ledger, work in a
 * transaction of its own, the application's clock (set back to the system's after each test) and
 * a user's keyed mutation.
 */
public abstract class LedgerFixture {

    @Inject
    protected Ledger ledger;

    @Inject
    protected Transactions transactions;

    @Inject
    protected AdjustableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** The work in a new transaction, committed when it returns. */
    protected <T> T tx(Callable<T> work) {
        return transactions.inNewTransaction(work);
    }

    /** A change the user asks for under the key, as from a client at 127.0.0.1. */
    protected static Mutation keyed(String user, String key) {
        return Mutation.byUser(user, key, "h".repeat(64), "127.0.0.1", "test");
    }

    /** The same under a key of its own. */
    protected static Mutation keyed(String user) {
        return keyed(user, UUID.randomUUID().toString());
    }
}
