package dev.tollgate.grant;

import dev.tollgate.platform.problem.InvalidRequestException;

/** The refusals of a grant that Bean Validation cannot express: they depend on the time. */
final class GrantProblem {

    private GrantProblem() {
    }

    static InvalidRequestException expiryNotInFuture() {
        return new InvalidRequestException("expiresAt: must be in the future");
    }

    static InvalidRequestException expiryTooFar(long maxDays) {
        return new InvalidRequestException("expiresAt: must be at most " + maxDays + " days ahead");
    }
}
