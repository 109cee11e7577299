package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.metering.HoldExpiry;
import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/**
 * Ends holds past their expiry: frees those of reservations (audited as EXPIRE entries) and charges
 * those of chat calls the app stopped in (a SETTLE of the whole hold: outcome unknown).
 */
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
        HoldExpiry.Expired expired = meteredCalls.expireHolds(config.expireHolds().batchSize(),
                config.expireHolds().maxBatches());
        return JobReport.done(name(), expired.total(), 0,
                expired.charged() == 0 ? null : "freed " + expired.freed() + ", charged whole (outcome unknown) " + expired.charged());
    }
}
