package dev.tollgate.platform.idempotency;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.tollgate.platform.jdbc.DuplicateRequestException;

/**
 * What a mutation answers when it meets its key again: the request was applied before, by a
 * retry's first attempt or by a concurrent request that just committed. The repeat is recognised
 * by the failure its own write meets — the unique index of the key,
 * {@link DuplicateRequestException}, unless {@link #signalledBy} names another — and, except for a
 * {@linkplain #refused refused} one, answered from what is stored under the key, read back in a
 * new transaction by {@link IdempotentMutations}. Three kinds:
 * <ul>
 * <li>{@link #refused}: a key is used once; every repeat is refused (nothing is stored to answer);
 * <li>{@link #replayed}: the stored answer of the same request is replayed; another request under
 * the key is 409 {@code idempotency-key-reused};
 * <li>{@link #doneIf}: under a derived key, the mutation was done before only if what is stored is
 * this operation on this reference; otherwise the repeat's failure stands.
 * </ul>
 */
public final class Repeat<A> {

    private final Class<? extends RuntimeException> signal;
    private final Supplier<? extends RuntimeException> refusal;
    private final Function<RuntimeException, A> readBack;

    private Repeat(Class<? extends RuntimeException> signal, Supplier<? extends RuntimeException> refusal,
            Function<RuntimeException, A> readBack) {
        this.signal = signal;
        this.refusal = refusal;
        this.readBack = readBack;
    }

    /** Every repeat is refused with {@code refusal}, without reading anything. */
    public static <A> Repeat<A> refused(Supplier<? extends RuntimeException> refusal) {
        return new Repeat<>(DuplicateRequestException.class, refusal, null);
    }

    /**
     * The answer of the stored request under the request's key, if it was this request: the same
     * fingerprint, and {@code isThisOperation} (what else it must be to answer this one). Anything
     * else under the key, or nothing, is an {@link IdempotencyConflictException}.
     */
    public static <S extends StoredRequest, A> Repeat<A> replayed(IdempotentRequest request,
            Function<String, Optional<S>> storedUnder, Predicate<? super S> isThisOperation,
            Function<? super S, A> answer) {
        return new Repeat<>(DuplicateRequestException.class, null, repeat -> storedUnder.apply(request.key())
                .filter(stored -> request.requestHash().equals(stored.requestHash()) && isThisOperation.test(stored))
                .<A> map(answer)
                .orElseThrow(IdempotencyConflictException::new));
    }

    /**
     * The mutation was done before if what is {@code stored} is this operation on this reference
     * ({@code isThisOperation}); it is then answered by {@code answer}, in the transaction that
     * read it. Otherwise, or if nothing is stored, the repeat's own failure is thrown.
     */
    public static <S, A> Repeat<A> doneIf(Supplier<Optional<S>> stored, Predicate<? super S> isThisOperation,
            Function<? super S, A> answer) {
        return new Repeat<>(DuplicateRequestException.class, null, repeat -> stored.get()
                .filter(isThisOperation)
                .<A> map(answer)
                .orElseThrow(() -> repeat));
    }

    /**
     * The same, for a mutation whose repeat is refused before it reaches the key (a release of a
     * hold that is no longer held): {@code failure} is what signals it.
     */
    public Repeat<A> signalledBy(Class<? extends RuntimeException> failure) {
        return new Repeat<>(failure, refusal, readBack);
    }

    boolean isSignalledBy(RuntimeException failure) {
        return signal.isInstance(failure);
    }

    boolean refusesEvery() {
        return refusal != null;
    }

    RuntimeException refusal() {
        return refusal.get();
    }

    /** The answer from what is stored; runs in a transaction of its own. */
    A readBack(RuntimeException repeat) {
        return readBack.apply(repeat);
    }
}
