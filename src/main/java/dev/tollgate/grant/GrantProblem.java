package dev.tollgate.grant;

import dev.tollgate.platform.problem.InvalidRequestException;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** The refusals of a grant that Bean Validation cannot express: they depend on the time or the caller. */
final class GrantProblem extends TypedProblem {

    private GrantProblem(ProblemType type, String detail) {
        super(type, detail);
    }

    static InvalidRequestException expiryNotInFuture() {
        return new InvalidRequestException("expiresAt: must be in the future");
    }

    static InvalidRequestException expiryTooFar(long maxDays) {
        return new InvalidRequestException("expiresAt: must be at most " + maxDays + " days ahead");
    }

    static GrantProblem idempotencyKeyTooLong(int max) {
        return new GrantProblem(ProblemType.IDEMPOTENCY_KEY_INVALID,
                "The idempotency key of a grant is 1 to " + max + " visible ASCII characters.");
    }

    static GrantProblem selfGrant() {
        return new GrantProblem(ProblemType.SELF_ADJUSTMENT_FORBIDDEN,
                "An admin cannot grant credits to themselves; another admin must do it.");
    }

    static GrantProblem unauditableActor() {
        return new GrantProblem(ProblemType.FORBIDDEN,
                "The token's subject is too long to be recorded as the actor of the audit trail.");
    }
}
