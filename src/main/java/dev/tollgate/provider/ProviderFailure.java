package dev.tollgate.provider;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;

/**
 * The upstream failed us: answered with 502 {@code provider-error}, or 504 {@code provider-timeout}
 * when it did not answer in time. The body never names the upstream's host, its status text or the
 * API key; the message (logged) carries only our upstream name, the reason and the upstream status.
 * Every such failure counts against the upstream's circuit breaker.
 */
public class ProviderFailure extends ProblemException {

    /** What went wrong, for logs, metrics and the caller's decisions (e.g. whether output may have been streamed). */
    public enum Reason {
        /** The connection could not be opened, or broke before the response headers. */
        CONNECTION_FAILED(502),
        /**
         * A kept-alive connection turned out closed before the upstream answered anything (it had
         * closed it as idle while we reused it): the one failure that is retried, once.
         */
        CONNECTION_CLOSED(502),
        /** The upstream answered with an error status other than 400 and 429 (5xx, 404, ...). */
        ERROR_STATUS(502),
        /** The upstream refused our API key (401 or 403): a configuration problem on our side. */
        CREDENTIALS_REFUSED(502),
        /** The response was not what the API promises (not JSON, wrong content type, oversized, no body). */
        MALFORMED_RESPONSE(502),
        /** The usage counts are negative or contradict each other. */
        INCONSISTENT_USAGE(502),
        /**
         * The request was sent and the connection broke before any answer: the provider may have
         * run the call (its outcome is unknown).
         */
        LOST_AFTER_SENDING(502),
        /** The request was sent and no response headers came within the first-byte timeout (outcome unknown). */
        FIRST_BYTE_TIMEOUT(504),
        /** The body (stream or JSON) went silent for longer than the idle timeout. */
        IDLE_TIMEOUT(504),
        /** The connection dropped in the middle of the body. */
        INTERRUPTED(502),
        /** The stream carried an error event instead of the next chunk. */
        ERROR_EVENT(502),
        /** The call ran longer than its upstream's {@code max-call-duration} and was cut. */
        CALL_DEADLINE(504);

        private final int status;

        Reason(int status) {
            this.status = status;
        }
    }

    private final String upstream;
    private final Reason reason;
    private final int upstreamStatus;

    public ProviderFailure(String upstream, Reason reason, int upstreamStatus, String message) {
        super("upstream " + upstream + ": " + reason + (upstreamStatus > 0 ? " (HTTP " + upstreamStatus + ")" : "")
                + (message == null ? "" : ": " + message));
        this.upstream = upstream;
        this.reason = reason;
        this.upstreamStatus = upstreamStatus;
    }

    public ProviderFailure(String upstream, Reason reason, String message) {
        this(upstream, reason, 0, message);
    }

    /** Our name of the upstream ({@code tollgate.providers.<name>}), or {@code "unknown"}. */
    public String upstream() {
        return upstream;
    }

    public Reason reason() {
        return reason;
    }

    /** The upstream's HTTP status, or 0 when it sent none. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    public boolean isTimeout() {
        return reason.status == 504;
    }

    /**
     * Whether the provider may have run the call although no answer came: the request was sent and
     * then nothing (the first-byte timeout, or the connection lost). Such a call is charged its hold.
     */
    public boolean outcomeUnknown() {
        return reason == Reason.FIRST_BYTE_TIMEOUT || reason == Reason.LOST_AFTER_SENDING;
    }

    /**
     * Whether the failure counts against the upstream's circuit breaker. Timeouts do not: a call
     * can be slow because of what it asks (a long prompt, a long reasoning), and one user's slow
     * calls must not make the upstream unavailable to everyone. Nor does a kept-alive connection
     * found closed: it is retried, and says nothing of the upstream's health.
     */
    public boolean countsAgainstUpstream() {
        return !isTimeout() && reason != Reason.CONNECTION_CLOSED;
    }

    @Override
    public Problem problem() {
        if (isTimeout()) {
            return Problem.of(ProblemType.PROVIDER_TIMEOUT,
                    "The provider took too long to answer. Nothing was charged for this call; try again.");
        }
        return Problem.of(ProblemType.PROVIDER_ERROR,
                "The provider could not complete the call. Nothing was charged for this call; try again later.");
    }
}
