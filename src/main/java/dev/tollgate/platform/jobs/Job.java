package dev.tollgate.platform.jobs;

/**
 * A scheduled function: it runs to the end, bounded, and says what it did. The contract lives in
 * {@code platform} so that any package can offer a job (the runner in {@code jobs} finds every
 * {@code Job} bean) without depending on the runner.
 */
public interface Job {

    /** The name used by the scheduler, the one-shot command and the admin API (e.g. {@code expire-holds}). */
    String name();

    /** Runs once; throws if it could not do its work. */
    JobReport run();
}
