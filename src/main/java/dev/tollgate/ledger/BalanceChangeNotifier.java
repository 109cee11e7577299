package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;

/**
 * Tells every instance which accounts changed: on PostgreSQL's channel
 * {@value #CHANNEL}, after the transactions that changed them have committed, batched.
 *
 * <p>The entries of a transaction reach it ({@link #committed}, through {@link CommittedEntries})
 * only if the transaction commits, never when it rolls back. Committed changes are collected per user (the latest entry id wins) and sent every
 * {@code tollgate.events.notify-interval} (0.1 s) as {@code SELECT pg_notify(...)} on a pooled
 * connection, one statement per payload of lines {@code "<entry id>:<user id>"} below
 * PostgreSQL's 8,000-byte limit. A notifying commit takes a database-wide lock until its commit
 * record is flushed; sending a few per second, instead of one per ledger row from a trigger,
 * keeps that lock off the ledger's commits (docs/architecture.md, "Live balance events").
 *
 * <p>The timer thread is started by the first change and ends after a minute without any. A
 * failure to notify is logged and the batch dropped: listeners resync on reconnect and clients
 * every 5 minutes. What is pending at shutdown is sent then (best effort); an instance that dies
 * between a commit and the next flush loses those pushes.
 */
@ApplicationScoped
public class BalanceChangeNotifier {

    public static final String CHANNEL = "credit_balance_changed";
    /** PostgreSQL refuses a payload of 8,000 bytes or more. */
    static final int MAX_PAYLOAD_BYTES = 7_999;
    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', ?)";
    private static final Logger LOG = Logger.getLogger(BalanceChangeNotifier.class);

    @Inject
    DataSource dataSource;

    @Inject
    BalanceChangeNotifierConfig config;

    /** The latest committed entry id per user, not yet announced. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private ScheduledThreadPoolExecutor timer;

    @PostConstruct
    void init() {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "tollgate-balance-notifier");
            thread.setDaemon(true);
            return thread;
        });
        timer.setKeepAliveTime(1, TimeUnit.MINUTES);
        timer.allowCoreThreadTimeOut(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A change has committed: it is sent with the next batch. */
    void committed(String userId, long entryId) {
        pending.merge(userId, entryId, Math::max);
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(this::flush, config.notifyInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down: send it now.
                flushScheduled.set(false);
                flush();
            }
        }
    }

    /** Sends what is pending, if anything; a failure drops the batch. */
    void flush() {
        flushScheduled.set(false);
        List<String> lines = new ArrayList<>();
        for (String userId : pending.keySet()) {
            Long entryId = pending.remove(userId);
            if (entryId != null) {
                lines.add(entryId + ":" + userId);
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement notify = connection.prepareStatement(NOTIFY)) {
            for (String payload : payloads(lines, MAX_PAYLOAD_BYTES)) {
                notify.setString(1, payload);
                notify.execute();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("could not announce %d balance changes (%s); open streams get them on their next resync",
                    lines.size(), e.getMessage());
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        timer.shutdown();
        flush();
    }

    /**
     * Joins lines with {@code '\n'} into payloads of at most {@code maxBytes} UTF-8 bytes. A line
     * that does not fit alone, or contains a line break, is dropped (user ids are printable
     * ASCII of at most 255 characters, so neither happens).
     */
    static List<String> payloads(List<String> lines, int maxBytes) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder();
        int bytes = 0;
        for (String line : lines) {
            int lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (lineBytes > maxBytes || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                LOG.warnf("a balance change cannot be announced (%d bytes): %.80s", lineBytes, line);
                continue;
            }
            int separator = payload.isEmpty() ? 0 : 1;
            if (bytes + separator + lineBytes > maxBytes) {
                payloads.add(payload.toString());
                payload.setLength(0);
                bytes = 0;
                separator = 0;
            }
            if (separator == 1) {
                payload.append('\n');
            }
            payload.append(line);
            bytes += separator + lineBytes;
        }
        if (!payload.isEmpty()) {
            payloads.add(payload.toString());
        }
        return payloads;
    }
}
