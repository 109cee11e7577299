package dev.tollgate.platform.problem;

/**
 * A domain error that the API answers with a problem-details body. Subclasses name the problem
 * type and carry the members the caller needs (for example {@code required} and
 * {@code available}).
 */
public abstract class ProblemException extends RuntimeException {

    protected ProblemException(String message) {
        super(message, null, false, false);
    }

    /** The body the API answers with. */
    public abstract Problem problem();
}
