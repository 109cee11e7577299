package dev.tollgate.admin;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** The problems only admin calls answer with; each has its own stable type. */
public class AdminProblem extends TypedProblem {

    private AdminProblem(ProblemType type, String detail) {
        super(type, detail);
    }

    /** A query parameter or a rule across fields that Bean Validation cannot express. */
    static InvalidRequestException invalid(String detail) {
        return new InvalidRequestException(detail);
    }

    static AdminProblem idempotencyKeyTooLong() {
        return new AdminProblem(ProblemType.IDEMPOTENCY_KEY_INVALID,
                "The idempotency key of an adjustment is 1 to " + AdjustmentService.MAX_KEY_LENGTH
                        + " visible ASCII characters.");
    }

    static AdminProblem accountNotFound() {
        return new AdminProblem(ProblemType.ACCOUNT_NOT_FOUND,
                "No credit account exists for this user id.");
    }

    static AdminProblem priceAlreadyScheduled() {
        return new AdminProblem(ProblemType.PRICE_ALREADY_SCHEDULED,
                "The model already has a price taking effect at exactly this time; prices are never changed in place.");
    }

    static AdminProblem selfAdjustment() {
        return new AdminProblem(ProblemType.SELF_ADJUSTMENT_FORBIDDEN,
                "An admin cannot adjust their own credits; another admin must do it.");
    }

    static AdminProblem unauditableActor() {
        return new AdminProblem(ProblemType.FORBIDDEN,
                "The token's subject is too long to be recorded as the actor of the audit trail.");
    }
}
