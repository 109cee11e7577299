package dev.tollgate.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/**
 * The server-sent events of a streamed answer, written to the client as they come. A client that
 * goes away, or that stops reading — one write waits longer than the client write timeout for it
 * — is let go: its connection is closed, and from then on nothing more is written. The call goes
 * on without it (it is still read to its end and billed); the relay only learns that the client is
 * gone.
 *
 * <p>Writes block (the worker thread's output stream waits for the client to drain); a periodic
 * check on the event loop closes the connection of a write that waited too long, which wakes the
 * writer with an error.
 */
final class ClientEventStream implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClientEventStream.class);

    private final OutputStream out;
    private final HttpServerResponse response;
    private final Vertx vertx;
    private final long timeoutNanos;
    private final long watchdog;
    /** When the write in progress started, or 0 when none is. */
    private volatile long writeStartedNanos;
    private volatile boolean gone;

    ClientEventStream(OutputStream out, HttpServerResponse response, Vertx vertx, Duration writeTimeout) {
        this.out = out;
        this.response = response;
        this.vertx = vertx;
        this.timeoutNanos = writeTimeout.toNanos();
        long checkEveryMillis = Math.max(50, Math.min(1_000, writeTimeout.toMillis() / 4));
        this.watchdog = vertx.setPeriodic(checkEveryMillis, id -> letGoIfStuck());
    }

    /** Whether the client is still there to write to. */
    boolean attached() {
        return !gone;
    }

    /** Writes one event ({@code data: …}); false (and nothing more is written) if the client is gone. */
    boolean send(String data) {
        if (!gone && response.closed()) {
            gone = true; // a write into a closed connection would not fail: it would be dropped
        }
        if (gone) {
            return false;
        }
        writeStartedNanos = System.nanoTime();
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            gone = true;
            return false;
        } finally {
            writeStartedNanos = 0;
        }
    }

    private void letGoIfStuck() {
        long started = writeStartedNanos;
        if (!gone && started != 0 && System.nanoTime() - started > timeoutNanos) {
            gone = true;
            LOG.infof("a streaming client read nothing for %d ms; its connection is closed, the call goes on without it",
                    timeoutNanos / 1_000_000);
            response.reset();
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(watchdog);
    }
}
