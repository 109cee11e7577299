package dev.tollgate.platform.tx;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Runs a unit of work in a transaction of its own and retries it, a bounded number of times,
 * when PostgreSQL aborts it for a reason that a retry cures (serialization failure, deadlock).
 * The ledger's single-row conditional updates in READ COMMITTED do not produce these, but no
 * such error may ever reach a user, so the guard stays.
 */
@ApplicationScoped
public class Transactions {

    static final int MAX_ATTEMPTS = 5;
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40001", "40P01");
    private static final Logger LOG = Logger.getLogger(Transactions.class);

    public <T> T inNewTransaction(Callable<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(work);
            } catch (RuntimeException e) {
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e)) {
                    throw e;
                }
                LOG.debugf("transaction attempt %d aborted (%s); retrying", attempt, e.getClass().getSimpleName());
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
