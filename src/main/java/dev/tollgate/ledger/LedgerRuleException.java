package dev.tollgate.ledger;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;

/** A balance change the ledger refuses (it would overdraw a bucket, or a hold was resolved already). */
public class LedgerRuleException extends ProblemException {

    private final String typeSlug;
    private final String title;
    private final int status;

    private LedgerRuleException(String typeSlug, String title, int status, String detail) {
        super(detail);
        this.typeSlug = typeSlug;
        this.title = title;
        this.status = status;
    }

    static LedgerRuleException wouldOverdraw(Bucket bucket) {
        return new LedgerRuleException("adjustment-would-overdraw", "Adjustment would overdraw", 409,
                "The adjustment would take the " + bucket.name().toLowerCase() + " bucket or the available balance below zero.");
    }

    public static LedgerRuleException reservationNotFound() {
        return new LedgerRuleException("reservation-not-found", "Reservation not found", 404,
                "No reservation with this id belongs to the caller.");
    }

    static LedgerRuleException reservationResolved(CreditReservation.Status status) {
        return new LedgerRuleException("reservation-already-resolved", "Reservation already resolved", 409,
                "The reservation is " + status.name().toLowerCase() + " and cannot change again.");
    }

    static LedgerRuleException refundTooLarge() {
        return new LedgerRuleException("refund-exceeds-charge", "Refund exceeds the charge", 409,
                "The refunds of a call can add up to at most what it cost.");
    }

    static LedgerRuleException usageNotFound() {
        return new LedgerRuleException("usage-not-found", "Charge not found", 404,
                "No charged call with this id belongs to the account.");
    }

    @Override
    public Problem problem() {
        return Problem.of(typeSlug, title, status, getMessage());
    }
}
