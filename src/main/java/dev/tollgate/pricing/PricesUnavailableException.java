package dev.tollgate.pricing;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/** No price could be read and none is known: answered 503, try again later. */
public class PricesUnavailableException extends ProblemException {

    public PricesUnavailableException() {
        super("prices unavailable");
    }

    /** The read that failed is kept as the cause: a lost connection behind it is retried by the transaction. */
    public PricesUnavailableException(Throwable cause) {
        super("prices unavailable", cause);
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.PRICES_UNAVAILABLE,
                "Prices cannot be read right now. Try again in a few seconds.")
                .with("retryAfterSeconds", 5);
    }
}
