package dev.tollgate.platform.tx;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.time.Pause;

/**
 * Runs a unit of work in a transaction of its own and retries it, a bounded number of times,
 * when PostgreSQL aborts it for a reason that a retry cures: a serialization failure or deadlock
 * (the ledger's single-row conditional updates in READ COMMITTED do not produce these, but no
 * such error may ever reach a user, so the guard stays), or a lost connection — the session was
 * terminated ({@code pg_terminate_backend}), the server restarted, the socket broke. After a lost
 * connection the pool's idle connections are validated and the dead ones dropped
 * ({@link AgroalDataSource.FlushMode#INVALID}), so that the retry does not take another dead one,
 * and the retry waits a little longer each time. Retrying is safe because every unit of work of
 * the money path writes under a unique key: if a cut commit had in fact committed, the retry
 * meets that key and the caller answers from what was stored. A database that stays unreachable
 * is answered 503 by the problem mappers.
 */
@ApplicationScoped
public class Transactions {

    static final int MAX_ATTEMPTS = 5;
    /** First pause after a lost connection; doubled for each further attempt (25, 50, 100, 200 ms). */
    static final long FIRST_RECONNECT_PAUSE_MS = 25;
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40001", "40P01");
    private static final Logger LOG = Logger.getLogger(Transactions.class);

    @Inject
    AgroalDataSource dataSource;

    public <T> T inNewTransaction(Callable<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(work);
            } catch (RuntimeException e) {
                boolean connectionLost = Jdbc.isConnectionLoss(e);
                if (attempt >= MAX_ATTEMPTS || !(connectionLost || isRetryable(e))) {
                    throw e;
                }
                if (connectionLost) {
                    LOG.warnf("transaction attempt %d lost its database connection (%s); dropping dead connections and retrying",
                            attempt, e.getClass().getSimpleName());
                    dataSource.flush(AgroalDataSource.FlushMode.INVALID);
                    Pause.sleep(Duration.ofMillis(FIRST_RECONNECT_PAUSE_MS << (attempt - 1)), "to retry a transaction");
                } else {
                    LOG.debugf("transaction attempt %d aborted (%s); retrying", attempt, e.getClass().getSimpleName());
                }
            }
        }
    }

    static boolean isRetryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
