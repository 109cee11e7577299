package dev.tollgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.MonthlyRefresh;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Gives every account whose period is over its plan's allowance for the new period. */
@ApplicationScoped
public class RefreshJob implements Job {

    @Inject
    MonthlyRefresh refresh;

    @Inject
    JobsConfig config;

    @Override
    public String name() {
        return "refresh";
    }

    @Override
    public JobReport run() {
        return JobReport.done(name(), refresh.refreshAllDue(config.refresh().batchSize(), config.refresh().maxBatches()),
                0, null);
    }
}
