package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.compensation.CompensationBatch;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Applies pending compensations (deferred charges, refunds) through the ledger. */
@ApplicationScoped
public class ProcessCompensationsJob implements Job {

    @Inject
    CompensationBatch batch;

    @Inject
    JobsConfig config;

    @Override
    public String name() {
        return "process-compensations";
    }

    @Override
    public JobReport run() {
        JobsConfig.ProcessCompensations bounds = config.processCompensations();
        CompensationBatch.Outcome outcome = batch.process(bounds.batchSize(), bounds.maxBatches(), bounds.maxAttempts(),
                bounds.backoff());
        return JobReport.done(name(), outcome.applied(), outcome.failed(), "retried=" + outcome.retried());
    }
}
