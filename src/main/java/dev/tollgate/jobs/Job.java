package dev.tollgate.jobs;

/** A scheduled function: it runs to the end, bounded, and says what it did. */
public interface Job {

    /** The name used by the scheduler, the one-shot command and the admin API (e.g. {@code expire-holds}). */
    String name();

    /** Runs once; throws if it could not do its work. */
    JobReport run();
}
