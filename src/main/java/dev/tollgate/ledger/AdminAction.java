package dev.tollgate.ledger;

/**
 * The admin actions that move no credits but are audited in the ledger's log all the same, with
 * the admin, the time and the reason (adjustments move credits: they are {@link Operation#ADJUST}).
 */
public enum AdminAction {
    /** A model price scheduled from an instant on. */
    PRICE_CHANGE,
    /** A job run on an admin's request. */
    JOB_RUN,
    /** A refund of a purchase asked of Stripe; the credits are taken back when Stripe reports the refund. */
    REFUND_REQUEST,
    /** A change of a team (members, roles, caps, deletion) by an admin who is not its owner. */
    TEAM_CHANGE
}
