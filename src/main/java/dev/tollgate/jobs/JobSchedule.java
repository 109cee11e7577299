package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/**
 * The jobs on the built-in scheduler of a long-running deployment, with their cron expressions
 * from config ({@code tollgate.jobs.<name>.cron}). Serverless deployments switch the scheduler
 * off ({@code QUARKUS_SCHEDULER_ENABLED=false}) and trigger the one-shot command from cron instead.
 */
@ApplicationScoped
public class JobSchedule {

    private static final Logger LOG = Logger.getLogger(JobSchedule.class);

    @Inject
    JobRunner runner;

    @Scheduled(identity = "expire-holds", cron = "${tollgate.jobs.expire-holds.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireHolds() {
        run("expire-holds");
    }

    @Scheduled(identity = "refresh", cron = "${tollgate.jobs.refresh.cron}", timeZone = "UTC",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        run("refresh");
    }

    @Scheduled(identity = "archive-usage", cron = "${tollgate.jobs.archive-usage.cron}", timeZone = "UTC",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void archiveUsage() {
        run("archive-usage");
    }

    @Scheduled(identity = "process-compensations", cron = "${tollgate.jobs.process-compensations.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void processCompensations() {
        run("process-compensations");
    }

    @Scheduled(identity = "purge-rate-limits", cron = "${tollgate.jobs.purge-rate-limits.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeRateLimits() {
        run("purge-rate-limits");
    }

    @Scheduled(identity = "process-top-ups", cron = "${tollgate.jobs.process-top-ups.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void processTopUps() {
        run("process-top-ups");
    }

    @Scheduled(identity = "expire-grants", cron = "${tollgate.jobs.expire-grants.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireGrants() {
        run("expire-grants");
    }

    @Scheduled(identity = "predict-depletion", cron = "${tollgate.jobs.predict-depletion.cron}", timeZone = "UTC",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void predictDepletion() {
        run("predict-depletion");
    }

    private void run(String job) {
        try {
            runner.run(job);
        } catch (RuntimeException e) {
            LOG.errorf(e, "scheduled run of %s failed; the next run picks up where it stopped", job);
        }
    }
}
