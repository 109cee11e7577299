package dev.tollgate.platform.idempotency;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.tollgate.platform.tx.GroupCommit;
import dev.tollgate.platform.tx.Transactions;

/**
 * The one way a mutation under an idempotency key is applied (after formancehq/ledger's log
 * processing). The mutation writes under its key, whose unique index makes a repeat — a retry, or
 * a concurrent request under the same key, which PostgreSQL makes wait for the first one's outcome
 * — fail instead of applying twice. That failure rolls the repeat's transaction back, and the
 * {@link Repeat} of the mutation answers it from what the first request stored, read in a new
 * transaction: the stored answer ({@link Answer#replayed()} true), a 409 for another request, or
 * the failure when what is stored is not this operation.
 *
 * <p>There is no read before the write: the first request costs no extra round trip, and a check
 * before the write would still have to handle the race. A request that changed nothing (402, 4xx)
 * stores nothing, so its retry is evaluated afresh.
 */
@ApplicationScoped
public class IdempotentMutations {

    @Inject
    Transactions transactions;

    @Inject
    GroupCommit groupCommit;

    /** Applies {@code mutation} in a new transaction; a repeat is answered as {@code repeat} says. */
    public <A> Answer<A> apply(Supplier<A> mutation, Repeat<A> repeat) {
        return answer(() -> transactions.inNewTransaction(mutation::get), repeat);
    }

    /**
     * The same in a transaction shared with the concurrent mutations of {@code accountId}
     * ({@link GroupCommit}): a repeat of a mutation of the same batch is read back once the batch
     * has committed, so it finds the first one's answer.
     */
    public <A> Answer<A> applyShared(String accountId, Supplier<A> mutation, Repeat<A> repeat) {
        return answer(() -> groupCommit.inSharedTransaction(accountId, mutation::get), repeat);
    }

    /**
     * The same for a mutation that opens and commits its own transaction (a step of
     * {@code MeteredCalls}, which counts its meters once the step has committed). It must not run
     * inside a transaction of the caller's: the repeat is read only after its own has rolled back.
     */
    public <A> Answer<A> applyCommitting(Supplier<A> mutation, Repeat<A> repeat) {
        if (QuarkusTransaction.isActive()) {
            throw new IllegalStateException("a committing mutation was called inside a transaction");
        }
        return answer(mutation, repeat);
    }

    private <A> Answer<A> answer(Supplier<A> committed, Repeat<A> repeat) {
        try {
            return Answer.applied(committed.get());
        } catch (RuntimeException failure) {
            if (!repeat.isSignalledBy(failure)) {
                throw failure;
            }
            if (repeat.refusesEvery()) {
                throw repeat.refusal();
            }
            return Answer.replayed(transactions.inNewTransaction(() -> repeat.readBack(failure)));
        }
    }
}
