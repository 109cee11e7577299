package dev.tollgate.balance;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Warns of accounts predicted to run out well before their refresh ({@link DepletionWarnings}). */
@ApplicationScoped
public class PredictDepletionJob implements Job {

    public static final String NAME = "predict-depletion";

    @Inject
    DepletionWarnings warnings;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public JobReport run() {
        DepletionWarnings.Outcome outcome = warnings.run();
        return JobReport.done(name(), outcome.warned(), 0,
                "evaluated=" + outcome.evaluated() + " rearmed=" + outcome.rearmed());
    }
}
