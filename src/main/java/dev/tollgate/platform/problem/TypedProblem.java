package dev.tollgate.platform.problem;

/**
 * A problem of one catalogue type, with its detail and any members, built once by the named
 * factories of the code that refuses the call (for example {@code AdminProblem.accountNotFound()}).
 * Its message is the detail.
 */
public abstract class TypedProblem extends ProblemException {

    private final transient Problem problem;

    protected TypedProblem(ProblemType type, String detail) {
        this(Problem.of(type, detail));
    }

    /** @param problem the body, with the members it names */
    protected TypedProblem(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    @Override
    public final Problem problem() {
        return problem;
    }
}
