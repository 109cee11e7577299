package dev.tollgate.testing;

import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;

import dev.tollgate.ledger.Bucket;
import dev.tollgate.ledger.HeldCall;
import dev.tollgate.ledger.Hold;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Settlement;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/**
 * What a {@code @QuarkusTest} that drives the ledger directly shares: the ledger, work in a
 * transaction of its own, the application's clock (set back to the system's after each test), a
 * user's keyed mutation, and the system's ledger operations that tests use to set an account up.
 */
public abstract class LedgerFixture {

    /** The call a test's hold is for: 100 prompt tokens, 100 output tokens at most, no character or conversation. */
    protected static final HeldCall CALL = new HeldCall(100, 100, null, null, false);

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

    /** The account of a new user, opened with the plan's monthly allowance; its id starts with the test's class name. */
    protected String newAccount() {
        String user = getClass().getSimpleName() + "-" + UUID.randomUUID();
        tx(() -> ledger.ensureAccount(user));
        return user;
    }

    /** A change the user asks for under the key, as from a client at 127.0.0.1. */
    protected static Mutation keyed(String user, String key) {
        return Mutation.byUser(user, key, "h".repeat(64), "127.0.0.1", "test");
    }

    /** The same under a key of its own. */
    protected static Mutation keyed(String user) {
        return keyed(user, UUID.randomUUID().toString());
    }

    /** A charge of {@code millicredits} the user asks for under the key. */
    protected LedgerEntry charge(String user, long millicredits, String key) {
        return tx(() -> ledger.charge(user, Millicredits.of(millicredits), keyed(user, key)));
    }

    /** Credits bought: {@code millicredits} into the purchased bucket, by the system. */
    protected LedgerEntry buy(String user, long millicredits) {
        return tx(() -> ledger.grant(user, Bucket.PURCHASED, Millicredits.of(millicredits), Mutation.system("test")));
    }

    /** The hold settled at {@code cost}, by the system. */
    protected Settlement settle(String user, Hold hold, long cost) {
        return tx(() -> ledger.settle(user, hold.holdId(), Millicredits.of(cost), Mutation.system("test")));
    }

    /** {@code millicredits} of the call {@code usageId} refunded, by the system. */
    protected LedgerEntry refund(String user, long usageId, long millicredits) {
        return tx(() -> ledger.refund(user, usageId, Millicredits.of(millicredits), Mutation.system("test")));
    }
}
