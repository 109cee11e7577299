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

    /**
     * With the failure behind it kept as the cause, so that whoever handles the problem can still
     * tell what happened (for example that the database connection was lost, which a retry cures).
     */
    protected ProblemException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** The body the API answers with. */
    public abstract Problem problem();
}
