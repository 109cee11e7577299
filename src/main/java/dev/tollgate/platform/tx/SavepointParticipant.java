package dev.tollgate.platform.tx;

/**
 * State that a transaction keeps outside the database (the entries waiting for its commit, the
 * persistence context) and that must follow a rollback to a savepoint of {@link GroupCommit}: what
 * a rolled-back work added is forgotten, so that nothing of it takes effect at the commit.
 */
public interface SavepointParticipant {

    /** Where this participant's state of the current transaction stands, before a work runs. */
    int mark();

    /** Forgets what the current transaction's state gained since {@code mark}. */
    void rollbackTo(int mark);
}
