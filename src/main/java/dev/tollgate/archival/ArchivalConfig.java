package dev.tollgate.archival;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The archival of usage rows: how old a row is when it moves to {@code token_usage_archive}, and
 * the bounds of a run. (Its cron expression is read by the scheduler: tollgate.jobs.archive-usage.cron.)
 */
@ConfigMapping(prefix = "tollgate.archival")
public interface ArchivalConfig {

    /**
     * A usage row created before now minus this moves to the archive. At least one day (a bare number
     * would be read as seconds: write {@code P90D}).
     */
    @WithDefault("P90D")
    Duration retention();

    /** Rows moved per batch; a batch is one transaction of one statement. */
    @WithDefault("5000")
    @Min(1)
    @Max(50_000)
    int batchSize();

    /** Batches per run, at most; what is left is moved by the next run. */
    @WithDefault("100")
    @Min(1)
    @Max(10_000)
    int maxBatches();
}
