package dev.tollgate.platform.problem;

/** A parameter or field that is malformed or out of range. Answered with 400; nothing changed. */
public class InvalidRequestException extends ProblemException {

    public InvalidRequestException(String detail) {
        super(detail);
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.INVALID_REQUEST, getMessage());
    }
}
