package dev.tollgate.chat;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.provider.ProviderFailure;

/**
 * A non-streaming answer that the provider cut after it had produced output (the connection broke,
 * it went silent, or the call ran past its time): what it produced was charged, since the provider
 * bills it. Answered like the provider's failure (502 {@code provider-error} or 504
 * {@code provider-timeout}), with what was charged.
 */
final class AnswerCutException extends ProblemException {

    private final ProviderFailure failure;
    private final long chargedMillicredits;

    AnswerCutException(ProviderFailure failure, long chargedMillicredits) {
        super("answer cut after output: " + failure.getMessage(), failure);
        this.failure = failure;
        this.chargedMillicredits = chargedMillicredits;
    }

    @Override
    public Problem problem() {
        String detail = "The provider stopped in the middle of the answer; what it had generated was charged.";
        Problem problem = failure.isTimeout()
                ? Problem.of(ProblemType.PROVIDER_TIMEOUT, detail)
                : Problem.of(ProblemType.PROVIDER_ERROR, detail);
        return problem.with("chargedMillicredits", chargedMillicredits);
    }
}
