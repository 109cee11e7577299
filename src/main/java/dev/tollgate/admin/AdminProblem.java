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

    static AdminProblem accountNotFound() {
        return new AdminProblem(ProblemType.ACCOUNT_NOT_FOUND,
                "No credit account exists for this user id.");
    }

    static AdminProblem priceAlreadyScheduled() {
        return new AdminProblem(ProblemType.PRICE_ALREADY_SCHEDULED,
                "The model already has a price taking effect at exactly this time; prices are never changed in place.");
    }
}
