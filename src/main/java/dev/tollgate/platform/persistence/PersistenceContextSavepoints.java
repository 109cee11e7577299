package dev.tollgate.platform.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.hibernate.Session;

import dev.tollgate.platform.tx.SavepointParticipant;

/**
 * Keeps Hibernate's persistence context true to the database across a rollback to a savepoint:
 * what is pending is written before the savepoint (so that a rollback does not take an earlier
 * work's changes with it), and after a rollback the context is emptied, so that no entity the
 * rolled-back work loaded or changed (an account it opened) outlives it.
 */
@ApplicationScoped
public class PersistenceContextSavepoints implements SavepointParticipant {

    @Inject
    Session session;

    @Override
    public int mark() {
        session.flush();
        return 0;
    }

    @Override
    public void rollbackTo(int mark) {
        session.clear();
    }
}
