package dev.tollgate.ledger;

/** The kinds of balance change; each writes exactly one audit row. */
public enum Operation {
    /** Credits added to a bucket (account opening, top-up, a grant lot). */
    GRANT,
    /** Credits spent on a metered call: monthly first, then granted, then purchased. */
    CHARGE,
    /** Credits set aside for a call in flight. */
    HOLD,
    /** A hold turned into a charge of the real cost; the rest of the hold is freed. */
    SETTLE,
    /** A hold freed without a charge. */
    RELEASE,
    /** A reservation's hold freed by the expiry job (a chat call's is settled whole instead). */
    EXPIRE,
    /** Credits of an earlier charge given back. */
    REFUND,
    /** An admin correction of one bucket, with a reason. */
    ADJUST,
    /** The monthly bucket replaced by the plan's allowance at a period start. */
    REFRESH,
    /** Held-over credits of an earlier period that no live hold needs any more taken out of the monthly bucket. */
    LAPSE,
    /** Bought credits added to the purchased bucket: a paid credit pack, or clawed-back credits a won dispute gives back. */
    PURCHASE,
    /** Bought credits taken back from the purchased bucket after a refund or a dispute, as far as they are unspent. */
    CLAWBACK,
    /** The unspent remainder of a grant lot removed at its expiry. */
    GRANT_EXPIRY,
    /**
     * Purchased credits moved between two accounts (a deleted team's back to its owner): an entry
     * on each side, sharing the transfer's id in their metadata.
     */
    TRANSFER
}
