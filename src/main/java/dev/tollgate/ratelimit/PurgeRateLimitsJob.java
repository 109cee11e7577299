package dev.tollgate.ratelimit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/**
 * Deletes the buckets of callers whose allowance is whole again: the job {@code purge-rate-limits},
 * run like every job (scheduler, one-shot command, admin API) on {@code tollgate.jobs.purge-rate-limits.cron}. Two purges
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
}
