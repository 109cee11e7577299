package dev.tollgate.platform.jobs;

/**
 * What a job run did: {@code processed} rows changed, {@code failed} rows given up on, or
 * {@code skipped} when another run of the same job held its lock.
 */
public record JobReport(String job, String status, long processed, long failed, String detail, long millis) {

    public static JobReport done(String job, long processed, long failed, String detail) {
        return new JobReport(job, "done", processed, failed, detail, 0);
    }

    /** The same report with the run's duration (set by the runner). */
    public JobReport took(long millis) {
        return new JobReport(job, status, processed, failed, detail, millis);
    }

    /** A run that did not start because another run of the job held its lock. */
    public static JobReport skipped(String job) {
        return new JobReport(job, "skipped", 0, 0, "another run of this job is in progress", 0);
    }

    /** One line for logs and the one-shot command's output. */
    public String line() {
        return "job " + job + " " + status + ": processed=" + processed + " failed=" + failed
                + (detail == null ? "" : " (" + detail + ")") + " in " + millis + " ms";
    }
}
