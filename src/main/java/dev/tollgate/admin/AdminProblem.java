package dev.tollgate.admin;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;

/** The problems only admin calls answer with; each has its own stable type. */
public class AdminProblem extends ProblemException {

    private final String typeSlug;
    private final String title;
    private final int status;

    private AdminProblem(String typeSlug, String title, int status, String detail) {
        super(detail);
        this.typeSlug = typeSlug;
        this.title = title;
        this.status = status;
    }

    /** A query parameter or a rule across fields that Bean Validation cannot express. */
    static InvalidRequestException invalid(String detail) {
        return new InvalidRequestException(detail);
    }

    static AdminProblem idempotencyKeyTooLong() {
        return new AdminProblem("idempotency-key-invalid", "Idempotency key not valid", 400,
                "The idempotency key of an adjustment is 1 to " + AdjustmentService.MAX_KEY_LENGTH
                        + " visible ASCII characters.");
    }

    static AdminProblem accountNotFound() {
        return new AdminProblem("account-not-found", "Account not found", 404,
                "No credit account exists for this user id.");
    }

    static AdminProblem priceAlreadyScheduled() {
        return new AdminProblem("price-already-scheduled", "Price already exists", 409,
                "The model already has a price taking effect at exactly this time; prices are never changed in place.");
    }

    static AdminProblem selfAdjustment() {
        return new AdminProblem("self-adjustment-forbidden", "Adjusting one's own account is not allowed", 403,
                "An admin cannot adjust their own credits; another admin must do it.");
    }

    static AdminProblem unauditableActor() {
        return new AdminProblem("forbidden", "Not allowed", 403,
                "The token's subject is too long to be recorded as the actor of the audit trail.");
    }

    @Override
    public Problem problem() {
        return Problem.of(typeSlug, title, status, getMessage());
    }
}
