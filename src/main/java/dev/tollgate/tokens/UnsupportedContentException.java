package dev.tollgate.tokens;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/**
 * A request asks for something Tollgate can neither count nor price (audio, files, an image for a
 * model without an image rule, a priced service tier, web search...): refused with 422
 * {@code unsupported-content} before anything is held or sent, so that no call is billed by the
 * provider for what its hold did not cover. {@code field} names what was refused.
 */
public class UnsupportedContentException extends ProblemException {

    private final String field;

    private UnsupportedContentException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    public static UnsupportedContentException of(String field, String detail) {
        return new UnsupportedContentException(field, detail);
    }

    @Override
    public Problem problem() {
        return Problem.of(ProblemType.UNSUPPORTED_CONTENT, getMessage()).with("field", field);
    }
}
