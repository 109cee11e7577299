package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.HoldExpiry;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;
import io.micrometer.core.instrument.MeterRegistry;

/** Frees holds past their expiry (audited as EXPIRE entries). */
@ApplicationScoped
public class ExpireHoldsJob implements Job {

    @Inject
    HoldExpiry expiry;

    @Inject
    JobsConfig config;

    @Inject
    MeterRegistry meters;

    @Override
    public String name() {
        return "expire-holds";
    }

    @Override
    public JobReport run() {
        int expired = expiry.expire(config.expireHolds().batchSize(), config.expireHolds().maxBatches());
        meters.counter("tollgate.holds.resolved", "outcome", "expired").increment(expired);
        return JobReport.done(name(), expired, 0, null);
    }
}
