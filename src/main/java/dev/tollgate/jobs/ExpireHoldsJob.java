package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Frees holds past their expiry (audited as EXPIRE entries). */
@ApplicationScoped
public class ExpireHoldsJob implements Job {

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    JobsConfig config;

    @Override
    public String name() {
        return "expire-holds";
    }

    @Override
    public JobReport run() {
        int expired = meteredCalls.expireHolds(config.expireHolds().batchSize(), config.expireHolds().maxBatches());
        return JobReport.done(name(), expired, 0, null);
    }
}
