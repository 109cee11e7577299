package dev.tollgate.platform.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;

/** A database that cannot be reached is a 503 with Retry-After (the fault run's finding), any other failure a 500. */
class DatabaseUnavailableProblemTest {

    private final ProblemMappers mappers = new ProblemMappers();

    @Test
    void aRefusedConnectionIs503WithRetryAfter() {
        Response response = mappers.unexpected(new DatabaseFailure("charge",
                new PSQLException("Connection to 127.0.0.1:5432 refused.", PSQLState.CONNECTION_UNABLE_TO_CONNECT)));

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(response.getMediaType().toString()).isEqualTo(Problem.MEDIA_TYPE);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) response.getEntity();
        assertThat(body).containsEntry("type", "https://tollgate.dev/problems/database-unavailable")
                .containsEntry("status", 503).containsEntry("retryAfterSeconds", 2);
        assertThat(body.toString()).doesNotContain("127.0.0.1").doesNotContain("PSQL");
    }

    @Test
    void aTerminatedSessionDeepInTheCauseChainIsAlso503() {
        // As Hibernate wraps it: FATAL: terminating connection due to administrator command (57P01).
        java.sql.SQLException terminated = new java.sql.SQLException("terminating connection due to administrator command",
                "57P01");
        assertThat(mappers.unexpected(new PersistenceException("select", terminated)).getStatus()).isEqualTo(503);
    }

    @Test
    void aCommitCutByTheConnectionIs503Too() {
        // As Narayana reports it: the driver's error only in a suppressed XAException of the RollbackException.
        javax.transaction.xa.XAException xa = new javax.transaction.xa.XAException("Error trying to transactionCommit local transaction");
        xa.initCause(new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE));
        jakarta.transaction.RollbackException rollback = new jakarta.transaction.RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);

        assertThat(Jdbc.isConnectionLoss(new RuntimeException(rollback))).isTrue();
        assertThat(mappers.unexpected(new RuntimeException(rollback)).getStatus()).isEqualTo(503);
    }

    @Test
    void otherDatabaseFailuresStay500() {
        PSQLException check = new PSQLException("new row violates check constraint", PSQLState.CHECK_VIOLATION);
        assertThat(mappers.unexpected(new DatabaseFailure("charge", check)).getStatus()).isEqualTo(500);
        assertThat(mappers.unexpected(new IllegalStateException("bug")).getStatus()).isEqualTo(500);
    }

    @Test
    void connectionLossIsTheConnectionClassAndTheServerEndingTheSession() {
        for (String state : new String[] { "08000", "08001", "08006", "57P01", "57P02", "57P03" }) {
            assertThat(Jdbc.isConnectionLoss(new java.sql.SQLException("x", state))).as(state).isTrue();
        }
        for (String state : new String[] { "23505", "40001", "40P01", "57014", "23514" }) {
            assertThat(Jdbc.isConnectionLoss(new java.sql.SQLException("x", state))).as(state).isFalse();
        }
        assertThat(Jdbc.isConnectionLoss(new java.sql.SQLException("no state"))).isFalse();
    }
}
