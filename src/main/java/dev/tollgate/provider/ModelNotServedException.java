package dev.tollgate.provider;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/** No configured upstream serves the model; nothing was sent anywhere. Answered with 422. */
public class ModelNotServedException extends ProblemException {

    private final String model;

    public ModelNotServedException(String model) {
        super("no upstream serves the model");
        this.model = model;
    }

    public String model() {
        return model;
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.MODEL_NOT_SERVED,
                "No provider is configured for this model, so it cannot be used.")
                .with("model", model);
    }
}
