package dev.tollgate.balance.events;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.balance.BalanceService;
import dev.tollgate.ledger.Payer;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.tx.Transactions;

/**
 * The open balance streams of this instance, by user, and the fan-out of ledger notifications to
 * them: a notification for a user with open streams here reads that user's balance once and sends
 * it to those streams only (never to another user's). Every stream starts with a snapshot; every
 * {@code tollgate.events.heartbeat} each stream gets a comment line, and a stream whose token has
 * expired is closed (the client reconnects with a fresh token).
 */
@ApplicationScoped
public class BalanceStreams {

    private static final Logger LOG = Logger.getLogger(BalanceStreams.class);
    private static final String LATEST_ENTRY = "SELECT COALESCE(MAX(id), 0) FROM credit_audit_log WHERE user_id = ?";

    @Inject
    BalanceService balances;

    @Inject
    BalanceChangeListener listener;

    @Inject
    BalanceEventsConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Inject
    Transactions transactions;

    private final Map<String, List<BalanceStream>> byUser = new ConcurrentHashMap<>();
    private ScheduledExecutorService heartbeats;

    /** Registers a stream of the user and sends it the current balance. */
    public void open(String userId, SseEventSink sink, Sse sse, Instant tokenExpiresAt) {
        listener.start(this::changed, this::resyncAll);
        startHeartbeats();
        BalanceStream stream = new BalanceStream(userId, sink, sse, tokenExpiresAt, config.clientRetry().toMillis());
        BalanceStream evicted = register(stream);
        if (evicted != null) {
            evicted.close();
        }
        try {
            Snapshot now = snapshot(userId);
            stream.sendBalance(now.entryId(), now.balanceJson());
        } catch (RuntimeException e) {
            stream.close();
            removeClosed(userId);
            throw e;
        }
    }

    /** Streams open on this instance (for tests and metrics). */
    public int openStreams() {
        return byUser.values().stream().mapToInt(List::size).sum();
    }

    void changed(List<LedgerNotification> notifications) {
        Set<String> changedUsers = new LinkedHashSet<>();
        for (LedgerNotification n : notifications) {
            if (byUser.containsKey(n.userId())) {
                changedUsers.add(n.userId());
            }
        }
        changedUsers.forEach(this::push);
    }

    void resyncAll() {
        List.copyOf(byUser.keySet()).forEach(this::push);
    }

    /**
     * Sends the user's streams the balance as it is now, labelled as {@link #snapshot} labels it —
     * not with the announced entry, which may be older than the balance when the announcement
     * arrives after a later change of the account.
     */
    private void push(String userId) {
        List<BalanceStream> streams = streamsOf(userId);
        if (streams.isEmpty()) {
            return;
        }
        try {
            Snapshot now = snapshot(userId);
            streams.forEach(stream -> stream.sendBalance(now.entryId(), now.balanceJson()));
        } catch (RuntimeException e) {
            LOG.warnf("could not push the balance of a user (%s); the next change or reconnect brings it", e.getMessage());
        }
    }

    void heartbeat() {
        Instant now = clock.instant();
        for (String userId : List.copyOf(byUser.keySet())) {
            for (BalanceStream stream : streamsOf(userId)) {
                if (stream.isExpired(now)) {
                    stream.close();
                } else {
                    stream.sendHeartbeat();
                }
            }
            removeClosed(userId);
        }
    }

    private synchronized BalanceStream register(BalanceStream stream) {
        List<BalanceStream> streams = byUser.computeIfAbsent(stream.userId(), user -> new ArrayList<>());
        streams.removeIf(s -> !s.isOpen());
        int max = Payer.isPoolAccount(stream.userId()) ? config.maxStreamsPerPool() : config.maxStreamsPerUser();
        BalanceStream evicted = streams.size() >= max ? streams.remove(0) : null;
        streams.add(stream);
        return evicted;
    }

    private synchronized List<BalanceStream> streamsOf(String userId) {
        List<BalanceStream> streams = byUser.get(userId);
        return streams == null ? List.of() : List.copyOf(streams);
    }

    private synchronized void removeClosed(String userId) {
        List<BalanceStream> streams = byUser.get(userId);
        if (streams != null) {
            streams.removeIf(s -> !s.isOpen());
            if (streams.isEmpty()) {
                byUser.remove(userId);
            }
        }
    }

    private synchronized void startHeartbeats() {
        if (heartbeats == null) {
            heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tollgate-balance-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            long period = config.heartbeat().toMillis();
            heartbeats.scheduleAtFixedRate(this::heartbeatSafely, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void heartbeatSafely() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            LOG.warn("balance stream heartbeat failed", e);
        }
    }

    @PreDestroy
    synchronized void closeAll() {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        byUser.values().forEach(streams -> streams.forEach(BalanceStream::close));
        byUser.clear();
    }

    /** The balance (JSON) and the ledger entry it reflects at least. */
    private record Snapshot(long entryId, String balanceJson) {
    }

    /**
     * The balance first (it opens the account of a new user), then the latest entry id: the id is
     * never older than the balance read, at worst newer by a change committed in between, whose own
     * announcement then brings its balance.
     */
    private Snapshot snapshot(String userId) {
        String balance = balanceJson(userId);
        return new Snapshot(latestEntryId(userId), balance);
    }

    private String balanceJson(String userId) {
        try {
            return json.writeValueAsString(balances.balanceOf(userId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a balance could not be written as JSON", e);
        }
    }

    private long latestEntryId(String userId) {
        return transactions.inNewTransaction(() -> readLatestEntryId(userId));
    }

    private long readLatestEntryId(String userId) {
        return Rows.one(dataSource, "latest ledger entry", LATEST_ENTRY, (c, ps) -> {
            ps.setString(1, userId);
        }, rs -> rs.getLong(1));
    }
}
