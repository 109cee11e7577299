package dev.tollgate.provider;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A streaming chat completion whose upstream has answered 2xx with its headers. From that moment
 * the body is read as it arrives — whether or not {@link #events()} is subscribed yet — and its
 * events wait in a bounded queue for the one subscriber, so that nothing received is lost if the
 * connection drops before or while the subscriber reads. A stream nobody subscribes to within the
 * idle timeout is closed; {@link #cancel()} closes it at once.
 */
public final class ProviderStream {

    private static final Logger LOG = Logger.getLogger(ProviderClient.class);
    /** Larger events are treated as a malformed stream (a chunk is normally well under 1 KB). */
    static final int MAX_EVENT_BYTES = 1024 * 1024;
    /** Events received and not yet taken by the subscriber, in characters; beyond it the stream fails. */
    static final long MAX_PENDING_CHARS = 8L * 1024 * 1024;

    private final Exchange exchange;
    private final HttpClientResponse response;
    private final Context context;
    private final PendingEvents pending = new PendingEvents();
    private final UnicastProcessor<String> processor;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final SseParser parser = new SseParser(MAX_EVENT_BYTES);
    private final IdleTimer idle;
    private final long unreadTimer;
    private final long deadlineTimer;
    private volatile int events;

    ProviderStream(Exchange exchange, HttpClientResponse response, Context context) {
        this.exchange = exchange;
        this.response = response;
        this.context = context;
        this.processor = UnicastProcessor.create(pending, this::terminated);
        this.idle = new IdleTimer(exchange.vertx, exchange.upstream.config.idleTimeout().toMillis(),
                () -> context.runOnContext(v -> fail(ProviderFailure.Reason.IDLE_TIMEOUT, null)));
        this.unreadTimer = exchange.vertx.setTimer(Math.max(1, exchange.upstream.config.idleTimeout().toMillis()), id -> {
            if (!processor.hasSubscriber() && finished.compareAndSet(false, true)) {
                LOG.warnf("upstream %s: a stream for %s was never read; closed", exchange.upstream.name, exchange.model);
                stopTimers();
                exchange.abort();
                processor.onError(new IllegalStateException("the provider stream was not read in time and was closed"));
            }
        });
        long leftMillis = exchange.upstream.config.maxCallDuration().toMillis()
                - (System.nanoTime() - exchange.startedNanos) / 1_000_000;
        this.deadlineTimer = exchange.vertx.setTimer(Math.max(1, leftMillis),
                id -> context.runOnContext(v -> fail(ProviderFailure.Reason.CALL_DEADLINE, null)));
        context.runOnContext(v -> read());
    }

    /** Our name of the upstream serving the stream ({@code tollgate.providers.<name>}). */
    public String upstream() {
        return exchange.upstream.name;
    }

    public String model() {
        return exchange.model;
    }

    /**
     * The {@code data} of each server-sent event, in order: the JSON text of each
     * {@code chat.completion.chunk} as the upstream sent it, including the final usage chunk
     * ({@code choices: []}). Completes after {@code data: [DONE]} (not emitted) or when the body ends.
     * Fails with {@link ProviderFailure} — after the events received before the failure — if the
     * connection drops ({@code INTERRUPTED}), the upstream is silent for the idle timeout
     * ({@code IDLE_TIMEOUT}), sends an error event ({@code ERROR_EVENT}) or an oversized event or
     * backlog ({@code MALFORMED_RESPONSE}), or runs past its upstream's {@code max-call-duration}
     * ({@code CALL_DEADLINE}). Cancelling the subscription resets the upstream request,
     * so the upstream stops generating. Items arrive on the Vert.x event loop (or on the thread that
     * requests more): never block in the pipeline. One subscription only; a second one fails with
     * {@link IllegalStateException}.
     */
    public Multi<String> events() {
        return processor;
    }

    /** Closes the upstream request without reading on (for a caller that will not subscribe after all). */
    public void cancel() {
        if (finished.compareAndSet(false, true)) {
            stopTimers();
            exchange.vertx.cancelTimer(unreadTimer);
            exchange.abort();
            processor.onError(new IllegalStateException("the provider stream was cancelled"));
        }
    }

    /** The processor ended: completed or failed by us (finished is set), or cancelled by the subscriber. */
    private void terminated() {
        exchange.vertx.cancelTimer(unreadTimer);
        if (finished.compareAndSet(false, true)) {
            stopTimers();
            LOG.debugf("upstream %s: stream for %s cancelled after %d events", exchange.upstream.name, exchange.model,
                    events);
            exchange.abort();
        }
    }

    /** Runs on the response's event loop. */
    private void read() {
        if (finished.get()) {
            return;
        }
        try {
            install();
        } catch (IllegalStateException e) {
            // Vert.x refuses handlers on a response whose connection already closed.
            fail(ProviderFailure.Reason.INTERRUPTED, e);
            return;
        }
        idle.start();
        response.resume();
    }

    private void install() {
        response.handler(buffer -> {
            if (finished.get()) {
                return;
            }
            idle.touch();
            List<String> payloads;
            try {
                payloads = parser.feed(buffer.getBytes());
            } catch (SseParser.EventTooLargeException e) {
                fail(ProviderFailure.Reason.MALFORMED_RESPONSE, e.getMessage());
                return;
            }
            for (String payload : payloads) {
                if (SseParser.DONE.equals(payload)) {
                    done();
                    return;
                }
                if (isErrorEvent(payload)) {
                    fail(ProviderFailure.Reason.ERROR_EVENT, null);
                    return;
                }
                if (!pending.hasRoomFor(payload)) {
                    fail(ProviderFailure.Reason.MALFORMED_RESPONSE, "more than " + MAX_PENDING_CHARS + " characters unread");
                    return;
                }
                events++;
                processor.onNext(payload);
            }
        });
        response.exceptionHandler(e -> fail(ProviderFailure.Reason.INTERRUPTED, e));
        response.endHandler(ignored -> {
            // The body ended without [DONE]: some gateways omit it. What was sent is complete.
            if (finished.compareAndSet(false, true)) {
                stopTimers();
                exchange.release();
                processor.onComplete();
            }
        });
    }

    /** [DONE]: complete now; let the rest of the body drain so the connection can be reused. */
    private void done() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        stopTimers();
        exchange.release();
        long drainTimer = exchange.vertx.setTimer(Math.max(1, exchange.upstream.config.idleTimeout().toMillis()),
                id -> exchange.abort());
        response.handler(ignored -> {
        });
        response.exceptionHandler(ignored -> {
        });
        response.endHandler(ignored -> exchange.vertx.cancelTimer(drainTimer));
        processor.onComplete();
    }

    private void fail(ProviderFailure.Reason reason, Object cause) {
        if (finished.compareAndSet(false, true)) {
            stopTimers();
            exchange.abort();
            processor.onError(exchange.failure(reason, 0, cause));
        }
    }

    private void stopTimers() {
        idle.stop();
        exchange.vertx.cancelTimer(deadlineTimer);
    }

    /** An OpenAI stream reports a failure after the headers as an event {@code {"error": {...}}}. */
    static boolean isErrorEvent(String payload) {
        if (!payload.contains("\"error\"")) {
            return false;
        }
        try {
            JsonObject object = new JsonObject(payload);
            return object.getValue("error") != null && !object.containsKey("choices");
        } catch (DecodeException | ClassCastException e) {
            return false;
        }
    }

    /** The events waiting for the subscriber, bounded by their total size. */
    private static final class PendingEvents extends ConcurrentLinkedQueue<String> {

        private final AtomicLong chars = new AtomicLong();

        boolean hasRoomFor(String event) {
            return chars.get() + event.length() <= MAX_PENDING_CHARS;
        }

        @Override
        public boolean offer(String event) {
            chars.addAndGet(event.length());
            return super.offer(event);
        }

        @Override
        public String poll() {
            String event = super.poll();
            if (event != null) {
                chars.addAndGet(-event.length());
            }
            return event;
        }
    }
}
