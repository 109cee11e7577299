package dev.tollgate.ratelimit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;

import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/**
 * Deletes the buckets of callers whose allowance is whole again: on the scheduler
 * ({@code tollgate.rate-limit.purge-cron}), or as the job {@code purge-rate-limits}. Two purges
 * at once skip each other's rows; a bucket deleted while its caller is active is just recreated.
 */
@ApplicationScoped
public class PurgeRateLimitsJob implements Job {

    public static final String NAME = "purge-rate-limits";

    @Inject
    RateLimiter limiter;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public JobReport run() {
        return JobReport.done(name(), limiter.purge(), 0, "");
    }

    @Scheduled(identity = NAME, cron = "${tollgate.rate-limit.purge-cron:0 */10 * * * ?}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run();
    }
}
