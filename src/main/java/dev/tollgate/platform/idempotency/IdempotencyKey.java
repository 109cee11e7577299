package dev.tollgate.platform.idempotency;

import java.util.regex.Pattern;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/**
 * The key a caller sends with a mutating call so that a retry never applies twice: 1 to 255
 * visible ASCII characters, unique per account, outside the namespace of the keys Tollgate derives
 * itself ({@link DerivedKey}: no {@code tollgate:} prefix).
 */
public record IdempotencyKey(String value) {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern SHAPE = Pattern.compile("[\\x21-\\x7E]{1,255}");

    public IdempotencyKey {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new Invalid();
        }
        if (DerivedKey.isReserved(value)) {
            throw new Reserved();
        }
    }

    /**
     * The key of a call, from the {@code Idempotency-Key} header or the request id in the body;
     * when both are given they must agree.
     */
    public static IdempotencyKey resolve(String header, String requestId) {
        if (header == null && requestId == null) {
            throw new Missing();
        }
        if (header != null && requestId != null && !header.equals(requestId)) {
            throw new Mismatch();
        }
        return new IdempotencyKey(header != null ? header : requestId);
    }

    /** The call has no idempotency key. */
    public static final class Missing extends KeyProblem {
        Missing() {
            super("idempotency key missing", ProblemType.IDEMPOTENCY_KEY_MISSING,
                    "Send an Idempotency-Key header (or the requestId of the call being metered).");
        }
    }

    /** The key is empty, too long or has characters outside visible ASCII. */
    public static final class Invalid extends KeyProblem {
        Invalid() {
            super("idempotency key invalid", ProblemType.IDEMPOTENCY_KEY_INVALID,
                    "An idempotency key is 1 to 255 visible ASCII characters.");
        }
    }

    /** The key is in the namespace of the keys Tollgate derives itself. */
    public static final class Reserved extends KeyProblem {
        Reserved() {
            super("idempotency key in the reserved namespace", ProblemType.IDEMPOTENCY_KEY_RESERVED,
                    "Idempotency keys starting with '" + DerivedKey.NAMESPACE + "' are Tollgate's own; choose another key.");
        }
    }

    /** The header and the body name different keys. */
    public static final class Mismatch extends KeyProblem {
        Mismatch() {
            super("idempotency key and request id differ", ProblemType.IDEMPOTENCY_KEY_MISMATCH,
                    "When both the Idempotency-Key header and requestId are sent they must be equal.");
        }
    }

    /** A key the call cannot be served with: a problem of one type, with a fixed detail. */
    abstract static class KeyProblem extends ProblemException {
        private final ProblemType type;
        private final String detail;

        KeyProblem(String message, ProblemType type, String detail) {
            super(message);
            this.type = type;
            this.detail = detail;
        }

        @Override
        public Problem problem() {
            return Problem.of(type, detail);
        }
    }
}
