package dev.tollgate.platform.idempotency;

import java.util.Locale;

/**
 * The idempotency keys Tollgate derives itself (the settle and the release of a hold, the
 * application of a compensation, an admin's adjustment in the target account). They share the
 * unique index of the keys clients send, so they live in a namespace of their own,
 * {@code tollgate:<kind>:<reference>}, that a client's key may not enter: {@link IdempotencyKey}
 * refuses it with 400. A client can therefore never write an entry under a key that Tollgate will
 * later use, and make Tollgate take it for its own.
 */
public final class DerivedKey {

    /** The prefix of every derived key, and the one a client's key may not start with (in any case). */
    public static final String NAMESPACE = "tollgate:";

    private DerivedKey() {
    }

    /** The derived key of one kind of operation on one reference, e.g. {@code tollgate:settle:<hold id>}. */
    public static String of(String kind, String reference) {
        return NAMESPACE + kind + ":" + reference;
    }

    /** Whether a key is in the derived namespace. */
    public static boolean isReserved(String key) {
        return key != null && key.length() >= NAMESPACE.length()
                && key.substring(0, NAMESPACE.length()).toLowerCase(Locale.ROOT).equals(NAMESPACE);
    }
}
