package dev.tollgate.purchase;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;

/** Charges the queued auto top-ups ({@link TopUps}); does nothing where purchases are not configured. */
@ApplicationScoped
public class ProcessTopUpsJob implements Job {

    public static final String NAME = "process-top-ups";

    @Inject
    TopUps topUps;

    @Inject
    PurchasesConfig config;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public JobReport run() {
        if (!config.configured()) {
            return JobReport.done(name(), 0, 0, "purchases not configured");
        }
        TopUps.Outcome outcome = topUps.chargeDue();
        return JobReport.done(name(), outcome.charged(), outcome.declined(), "unavailable=" + outcome.unavailable());
    }
}
