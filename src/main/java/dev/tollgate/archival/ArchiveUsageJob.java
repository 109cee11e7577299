package dev.tollgate.archival;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Moves usage rows past the retention into the archive ({@link UsageArchival}). */
@ApplicationScoped
public class ArchiveUsageJob implements Job {

    public static final String NAME = "archive-usage";

    @Inject
    UsageArchival archival;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public JobReport run() {
        UsageArchival.Outcome outcome = archival.archive();
        return JobReport.done(name(), outcome.moved(), 0, "batches=" + outcome.batches() + " cutoff=" + outcome.cutoff()
                + (outcome.more() ? " more=true" : ""));
    }
}
