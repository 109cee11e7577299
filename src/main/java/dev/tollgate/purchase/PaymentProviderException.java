package dev.tollgate.purchase;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.problem.ProblemType;

/** A call to Stripe failed: 503, nothing was charged; the same idempotency key may be retried. */
public class PaymentProviderException extends ProblemException {

    static final int RETRY_AFTER_SECONDS = 5;

    PaymentProviderException(String what, Exception cause) {
        super("Stripe failed to " + what + ": " + cause.getMessage(), cause);
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.PAYMENT_PROVIDER_UNAVAILABLE,
                "The payment provider cannot be reached right now. Retry with the same idempotency key.")
                .with("retryAfterSeconds", RETRY_AFTER_SECONDS);
    }
}
