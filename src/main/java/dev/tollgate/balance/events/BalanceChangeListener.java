package dev.tollgate.balance.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.tollgate.ledger.BalanceChangeNotifier;

/**
 * Listens to {@code credit_balance_changed} on a dedicated PostgreSQL connection (outside the
 * pool: it is held for the life of the instance) on a thread of its own, and hands every batch
 * of notifications to the consumer. The connection is opened when the first stream asks for it,
 * so that jobs and instances without streams hold none. After a failure it reconnects with a
 * doubling delay (at most {@code tollgate.events.max-reconnect-delay}) and then calls the resync
 * action, because notifications sent while it was away are lost.
 */
@ApplicationScoped
public class BalanceChangeListener {

    static final String CHANNEL = BalanceChangeNotifier.CHANNEL;
    private static final Logger LOG = Logger.getLogger(BalanceChangeListener.class);
    private static final int POLL_MILLIS = 1_000;
    /** A connection that answered nothing for this long is checked with a query. */
    private static final long PING_AFTER_MILLIS = 30_000;
    private static final long FIRST_LISTEN_WAIT_MILLIS = 5_000;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    @Inject
    BalanceEventsConfig config;

    private volatile boolean running;
    private Thread thread;
    private final CompletableFuture<Void> firstListen = new CompletableFuture<>();

    /**
     * Starts listening unless it already does, and waits a few seconds for the first
     * {@code LISTEN} (so that a stream opened now misses no change committed after it).
     */
    public void start(Consumer<List<LedgerNotification>> onChanges, Runnable onResync) {
        synchronized (this) {
            if (thread == null) {
                running = true;
                thread = new Thread(() -> run(onChanges, onResync), "tollgate-balance-listener");
                thread.setDaemon(true);
                thread.start();
            }
        }
        try {
            firstListen.get(FIRST_LISTEN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("the balance listener is not connected yet; streams get their changes once it is");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        synchronized (this) {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    private void run(Consumer<List<LedgerNotification>> onChanges, Runnable onResync) {
        int failures = 0;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + CHANNEL);
                }
                LOG.infof("listening to %s", CHANNEL);
                firstListen.complete(null);
                if (failures > 0) {
                    onResync.run();
                }
                failures = 0;
                poll(connection, onChanges);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                failures++;
                Duration delay = reconnectDelay(failures, config.maxReconnectDelay());
                LOG.warnf("balance listener failed (%s); reconnecting in %d ms", e.getMessage(), delay.toMillis());
                if (!sleep(delay)) {
                    break;
                }
            }
        }
        LOG.debug("balance listener stopped");
    }

    private void poll(Connection connection, Consumer<List<LedgerNotification>> onChanges) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long lastHeard = System.currentTimeMillis();
        while (running) {
            PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
            long now = System.currentTimeMillis();
            if (batch != null && batch.length > 0) {
                lastHeard = now;
                List<LedgerNotification> changes = new ArrayList<>(batch.length);
                for (PGNotification notification : batch) {
                    changes.addAll(LedgerNotification.parse(notification.getParameter()));
                }
                onChanges.accept(changes);
            } else if (now - lastHeard > PING_AFTER_MILLIS) {
                // A connection that died without a word would otherwise stay silent forever.
                try (Statement ping = connection.createStatement()) {
                    ping.execute("SELECT 1");
                }
                lastHeard = now;
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        username.ifPresent(user -> properties.setProperty("user", user));
        password.ifPresent(secret -> properties.setProperty("password", secret));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "tollgate-balance-listener");
        Connection connection = DriverManager.getConnection(url, properties);
        connection.setAutoCommit(true);
        return connection;
    }

    /** 0.5 s doubling per failure, at most {@code max}. */
    static Duration reconnectDelay(int failures, Duration max) {
        long millis = 500L << Math.min(Math.max(failures - 1, 0), 16);
        return millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }

    private static boolean sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
