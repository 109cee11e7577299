package dev.tollgate.ledger;

import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** A balance change the ledger refuses (it would overdraw a bucket, or a hold was resolved already). */
public class LedgerRuleException extends TypedProblem {

    private LedgerRuleException(ProblemType type, String detail) {
        super(type, detail);
    }

    static LedgerRuleException wouldOverdraw(Bucket bucket) {
        return new LedgerRuleException(ProblemType.ADJUSTMENT_WOULD_OVERDRAW,
                "The adjustment would take the " + bucket.name().toLowerCase() + " bucket or the available balance below zero.");
    }

    public static LedgerRuleException holdNotFound() {
        return new LedgerRuleException(ProblemType.RESERVATION_NOT_FOUND,
                "No reservation with this id belongs to the caller.");
    }

    static LedgerRuleException holdResolved(CreditHold.Status status) {
        return new LedgerRuleException(ProblemType.RESERVATION_ALREADY_RESOLVED,
                "The reservation is " + status.name().toLowerCase() + " and cannot change again.");
    }

    /** The caller names a team pool they are not (or no longer) a member of. */
    public static LedgerRuleException notAMember() {
        return new LedgerRuleException(ProblemType.NOT_A_TEAM_MEMBER,
                "The caller is not a member of this team; nothing was changed.");
    }

    static LedgerRuleException refundTooLarge() {
        return new LedgerRuleException(ProblemType.REFUND_EXCEEDS_CHARGE,
                "The refunds of a call can add up to at most what it cost.");
    }

    static LedgerRuleException usageNotFound() {
        return new LedgerRuleException(ProblemType.USAGE_NOT_FOUND,
                "No charged call with this id belongs to the account.");
    }
}
