package dev.tollgate.provider;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One request to an upstream, from the permit taken to the connection given back. Whatever ends it
 * — the last byte, a failure, a timeout, the caller cancelling — the permit is released exactly
 * once, and an exchange that ends early resets its HTTP request (which closes the connection, so
 * the upstream stops generating).
 */
final class Exchange {

    private static final Logger LOG = Logger.getLogger(ProviderClient.class);
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    final Upstream upstream;
    final String model;
    final Vertx vertx;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile HttpClientRequest request;
    private volatile boolean aborted;
    /** The whole request has been written to the connection: from now on the provider may be running it. */
    private volatile boolean written;
    /** When the exchange started, for the upstream's {@code max-call-duration}. */
    final long startedNanos = System.nanoTime();
    /** The event loop the response arrived on; its handlers run there. */
    private volatile Context context;

    /** Takes a permit of the upstream (or throws 503 {@code provider-busy}). */
    Exchange(Upstream upstream, String model, Vertx vertx) {
        upstream.acquire();
        this.upstream = upstream;
        this.model = model;
        this.vertx = vertx;
    }

    /**
     * Sends the request. The Uni completes with the response, paused (no body byte is read until
     * someone asks), as soon as its headers arrived, or fails with 502 (connection) or 504 (no
     * headers within the first-byte timeout); a failure after the request was written says that the
     * outcome is unknown ({@link ProviderFailure#outcomeUnknown()}). Cancelling it resets the request.
     */
    Uni<HttpClientResponse> send(Buffer payload, boolean streaming) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, upstream.config.firstByteTimeout().toMillis()), id -> {
                if (settled.compareAndSet(false, true)) {
                    // Sent and unanswered, the provider may be running the call; unsent, it cannot be.
                    emitter.fail(aborted ? cancelled() : failure(written
                            ? ProviderFailure.Reason.FIRST_BYTE_TIMEOUT : ProviderFailure.Reason.CONNECTION_FAILED, 0, null));
                    abort();
                }
            });
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                if (settled.compareAndSet(false, true)) {
                    abort(); // cancelled by the caller before the headers came
                }
            });
            upstream.client().request(upstream.requestOptions(streaming)).onComplete(created -> {
                if (created.failed()) {
                    if (settled.compareAndSet(false, true)) {
                        emitter.fail(aborted ? cancelled() : failure(connectionFailure(created.cause()), 0, created.cause()));
                        abort();
                    }
                    return;
                }
                HttpClientRequest httpRequest = created.result();
                httpRequest.exceptionHandler(ignored -> {
                    // Reported through the response future or the response's own handler.
                });
                request = httpRequest;
                if (aborted) {
                    // The caller went away while the connection was being obtained (the guard between
                    // it and this Uni does not pass cancellation on): settle now, never by the timer.
                    httpRequest.reset();
                    if (settled.compareAndSet(false, true)) {
                        emitter.fail(cancelled());
                    }
                    return;
                }
                httpRequest.response().onComplete(answered -> {
                    if (answered.failed()) {
                        if (settled.compareAndSet(false, true)) {
                            emitter.fail(aborted ? cancelled() : failure(lostConnection(answered.cause()), 0, answered.cause()));
                            abort();
                        }
                        return;
                    }
                    HttpClientResponse response = answered.result();
                    context = Vertx.currentContext();
                    response.exceptionHandler(ignored -> {
                        // Until a reader takes over, a reset by us (or a drop) has no one else to tell.
                    });
                    response.pause();
                    if (settled.compareAndSet(false, true)) {
                        if (aborted) {
                            emitter.fail(cancelled());
                        } else {
                            emitter.complete(response);
                        }
                    }
                });
                httpRequest.end(payload).onSuccess(ignored -> written = true);
            });
        });
    }

    /**
     * Why a request failed before its answer: a connection closed under us (a stale kept-alive one,
     * retried once) or one that failed before the request was written took nothing; one lost after
     * the request was written may have started the call.
     */
    private ProviderFailure.Reason lostConnection(Throwable cause) {
        ProviderFailure.Reason reason = connectionFailure(cause);
        return written && reason == ProviderFailure.Reason.CONNECTION_FAILED ? ProviderFailure.Reason.LOST_AFTER_SENDING
                : reason;
    }

    /**
     * Passes a 2xx response on; for any other status reads the (bounded) error body and fails with
     * the matching problem: 400 relayed, 429 as 503 {@code provider-busy}, the rest as 502.
     */
    Uni<HttpClientResponse> requireSuccess(HttpClientResponse response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Uni.createFrom().item(response);
        }
        String retryAfter = response.getHeader("Retry-After");
        return readBody(response, MAX_ERROR_BODY_BYTES)
                .onFailure().recoverWithItem(Buffer.buffer())
                .onItem().transformToUni(body -> Uni.createFrom().failure(errorFor(status, body, retryAfter)));
    }

    private RuntimeException errorFor(int status, Buffer body, String retryAfter) {
        JsonObject error = errorObject(body);
        String message = upstream.sanitize(text(error, "message"));
        if (status == 400) {
            LOG.infof("upstream %s rejected a request for %s (HTTP 400)", upstream.name, model);
            return new ProviderRequestRejectedException(
                    message != null && !message.isBlank() ? message : "The provider refused the request as written.",
                    upstream.sanitize(text(error, "param")), upstream.sanitize(text(error, "code")));
        }
        if (status == 429) {
            LOG.warnf("upstream %s is rate-limiting calls for %s (HTTP 429)", upstream.name, model);
            return ProviderUnavailableException.busy(upstream.name, "upstream rate limit (HTTP 429)",
                    retryAfterSeconds(retryAfter));
        }
        if (status == 401 || status == 403) {
            return failure(ProviderFailure.Reason.CREDENTIALS_REFUSED, status, null);
        }
        return failure(ProviderFailure.Reason.ERROR_STATUS, status, null);
    }

    private static JsonObject errorObject(Buffer body) {
        try {
            Object decoded = body.length() == 0 ? null : Json.decodeValue(body);
            if (decoded instanceof JsonObject object) {
                Object error = object.getValue("error");
                return error instanceof JsonObject nested ? nested : object;
            }
        } catch (DecodeException e) {
            // Not JSON (an HTML page of a proxy, say): nothing to relay.
        }
        return new JsonObject();
    }

    private static String text(JsonObject object, String name) {
        Object value = object.getValue(name);
        return value instanceof String || value instanceof Number ? value.toString() : null;
    }

    private static long retryAfterSeconds(String header) {
        if (header != null) {
            try {
                return Math.min(60, Math.max(1, Long.parseLong(header.trim())));
            } catch (NumberFormatException e) {
                // An HTTP date, or junk: the default below.
            }
        }
        return 1;
    }

    /**
     * Reads a whole body of at most {@code maxBytes}, failing with 504 if it goes silent for the
     * idle timeout and 502 if it breaks off or grows too large. The permit is released at its end.
     */
    Uni<Buffer> readBody(HttpClientResponse response, int maxBytes) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            Buffer body = Buffer.buffer();
            IdleTimer idle = new IdleTimer(vertx, upstream.config.idleTimeout().toMillis(), () -> {
                if (settled.compareAndSet(false, true)) {
                    abort();
                    emitter.fail(failure(ProviderFailure.Reason.IDLE_TIMEOUT, 0, null));
                }
            });
            emitter.onTermination(() -> {
                idle.stop();
                if (settled.compareAndSet(false, true)) {
                    abort();
                }
            });
            try {
                install(response, emitter, settled, body, idle, maxBytes);
            } catch (IllegalStateException e) {
                // Vert.x refuses handlers on a response whose connection already closed.
                if (settled.compareAndSet(false, true)) {
                    emitter.fail(aborted ? cancelled() : failure(ProviderFailure.Reason.INTERRUPTED, 0, e));
                    abort();
                }
                return;
            }
            idle.start();
            response.resume();
        });
    }

    private void install(HttpClientResponse response, UniEmitter<? super Buffer> emitter, AtomicBoolean settled,
            Buffer body, IdleTimer idle, int maxBytes) {
        response.handler(chunk -> {
            if (settled.get()) {
                return;
            }
            idle.touch();
            if (body.length() + chunk.length() > maxBytes) {
                if (settled.compareAndSet(false, true)) {
                    abort();
                    emitter.fail(failure(ProviderFailure.Reason.MALFORMED_RESPONSE, 0,
                            "response body larger than " + maxBytes + " bytes"));
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(e -> {
            if (settled.compareAndSet(false, true)) {
                emitter.fail(aborted ? cancelled() : failure(ProviderFailure.Reason.INTERRUPTED, 0, e));
                abort();
            }
        });
        response.endHandler(ignored -> {
            if (settled.compareAndSet(false, true)) {
                release();
                emitter.complete(body);
            }
        });
    }

    Context context() {
        Context current = context;
        return current != null ? current : vertx.getOrCreateContext();
    }

    /**
     * The failure of a call we reset ourselves because its caller went away: not the upstream's
     * fault, so neither logged as one nor counted against its circuit.
     */
    private static CancellationException cancelled() {
        return new CancellationException("the provider call was cancelled by its caller");
    }

    /** Ends the exchange early: resets the request (closing its connection) and releases the permit. */
    void abort() {
        aborted = true;
        HttpClientRequest current = request;
        if (current != null) {
            current.reset();
        }
        release();
    }

    /** Gives the permit back (once); the connection returns to the pool when its response has ended. */
    void release() {
        if (released.compareAndSet(false, true)) {
            upstream.releasePermit();
        }
    }

    /** A connection closed under us (a stale kept-alive one) is told apart from one that failed. */
    private static ProviderFailure.Reason connectionFailure(Throwable cause) {
        return cause instanceof io.vertx.core.http.HttpClosedException ? ProviderFailure.Reason.CONNECTION_CLOSED
                : ProviderFailure.Reason.CONNECTION_FAILED;
    }

    ProviderFailure failure(ProviderFailure.Reason reason, int upstreamStatus, Object cause) {
        // Never the cause's message: a connection error names the upstream's host and port.
        String detail = cause == null ? null
                : cause instanceof String text ? text : cause.getClass().getSimpleName();
        ProviderFailure failure = new ProviderFailure(upstream.name, reason, upstreamStatus,
                "model " + model + (detail == null ? "" : ", " + detail));
        LOG.errorf("upstream call failed: %s", failure.getMessage());
        return failure;
    }
}
