package dev.tollgate.balance.events;

import java.time.Instant;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

/**
 * One open {@code text/event-stream} of one user. Sends are serialized, so that a snapshot, a
 * change and a heartbeat never interleave; a balance equal to the last one sent is not sent again.
 */
final class BalanceStream {

    static final String EVENT_NAME = "balance";
    private static final Logger LOG = Logger.getLogger(BalanceStream.class);

    private final String userId;
    private final SseEventSink sink;
    private final Sse sse;
    private final Instant expiresAt;
    private final long retryMillis;
    private String lastSent;
    private boolean first = true;

    BalanceStream(String userId, SseEventSink sink, Sse sse, Instant expiresAt, long retryMillis) {
        this.userId = userId;
        this.sink = sink;
        this.sse = sse;
        this.expiresAt = expiresAt;
        this.retryMillis = retryMillis;
    }

    String userId() {
        return userId;
    }

    /** The token the stream was opened with has expired: the client reconnects with a fresh one. */
    boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    boolean isOpen() {
        return !sink.isClosed();
    }

    /** Sends the balance (JSON) as event {@code balance} with the ledger entry id as event id. */
    synchronized void sendBalance(long entryId, String json) {
        if (json.equals(lastSent)) {
            return;
        }
        OutboundSseEvent.Builder event = sse.newEventBuilder().name(EVENT_NAME).id(Long.toString(entryId))
                .data(String.class, json);
        if (first) {
            event.reconnectDelay(retryMillis);
            first = false;
        }
        if (send(event.build())) {
            lastSent = json;
        }
    }

    /** A comment line: keeps proxies from closing an idle stream and finds streams whose client left. */
    synchronized void sendHeartbeat() {
        send(sse.newEventBuilder().comment("keep-alive").build());
    }

    synchronized void close() {
        if (!sink.isClosed()) {
            sink.close();
        }
    }

    private boolean send(OutboundSseEvent event) {
        if (sink.isClosed()) {
            return false;
        }
        try {
            sink.send(event).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.debugf("a balance stream is gone (%s)", failure.getMessage());
                    close();
                }
            });
            return true;
        } catch (IllegalStateException e) {
            // Closed between the check and the send.
            return false;
        }
    }
}
