package dev.tollgate.chat;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.provider.ProviderFailure;

/**
 * The request reached the provider and no answer came back (the first-byte timeout, or the
 * connection lost after sending): the provider may have run the call and billed it, so its hold
 * was charged. Answered with 504 (502 for a lost connection), type
 * {@code provider-outcome-unknown}, with what was charged.
 */
final class CallOutcomeUnknownException extends ProblemException {

    private final int status;
    private final long chargedMillicredits;

    CallOutcomeUnknownException(ProviderFailure failure, long chargedMillicredits) {
        super("outcome of the provider call unknown: " + failure.getMessage(), failure);
        this.status = failure.isTimeout() ? 504 : 502;
        this.chargedMillicredits = chargedMillicredits;
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.PROVIDER_OUTCOME_UNKNOWN, status,
                "The call reached the provider and no answer came back. The provider may have run it, so the credits "
                        + "held for it were charged.")
                .with("chargedMillicredits", chargedMillicredits);
    }
}
