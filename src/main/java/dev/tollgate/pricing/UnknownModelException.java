package dev.tollgate.pricing;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/** The model has no price: it is refused, never metered as free. Answered with 422. */
public class UnknownModelException extends ProblemException {

    private final String model;

    public UnknownModelException(String model) {
        super("no price for model");
        this.model = model;
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.UNKNOWN_MODEL,
                "There is no price for this model, so it cannot be used.")
                .with("model", model);
    }
}
