package dev.tollgate.platform.idempotency;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/** An idempotency key was used before with a different request. Answered with 409; nothing changed. */
public class IdempotencyConflictException extends ProblemException {

    public IdempotencyConflictException() {
        super("idempotency key reused with a different request");
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.IDEMPOTENCY_KEY_REUSED,
                "This idempotency key was used with a different request. Use a new key for a new request.");
    }
}
