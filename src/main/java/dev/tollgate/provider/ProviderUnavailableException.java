package dev.tollgate.provider;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/**
 * The call was not sent, or the upstream asked us to slow down: answered with 503 and a
 * {@code Retry-After} header (see {@link ProviderProblemMappers}) —
 * {@code provider-unavailable} while the upstream's circuit is open after repeated failures,
 * {@code provider-busy} when its concurrency limit is reached or it answered 429.
 */
public class ProviderUnavailableException extends ProblemException {

    private final boolean circuitOpen;
    private final long retryAfterSeconds;

    private ProviderUnavailableException(String message, boolean circuitOpen, long retryAfterSeconds) {
        super(message);
        this.circuitOpen = circuitOpen;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public static ProviderUnavailableException circuitOpen(String upstream, long retryAfterSeconds) {
        return new ProviderUnavailableException("upstream " + upstream + ": circuit open", true, retryAfterSeconds);
    }

    public static ProviderUnavailableException busy(String upstream, String why, long retryAfterSeconds) {
        return new ProviderUnavailableException("upstream " + upstream + ": " + why, false, retryAfterSeconds);
    }

    /** True for an open circuit, false for a full concurrency limit or an upstream 429. */
    public boolean circuitOpen() {
        return circuitOpen;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public Problem problem() {
        Problem problem = circuitOpen
                ? Problem.of(ProblemType.PROVIDER_UNAVAILABLE,
                        "The provider failed repeatedly and is not being called for a moment. Nothing was charged.")
                : Problem.of(ProblemType.PROVIDER_BUSY,
                        "Too many calls to the provider are in progress. Nothing was charged; retry shortly.");
        return problem.with("retryAfterSeconds", retryAfterSeconds);
    }
}
