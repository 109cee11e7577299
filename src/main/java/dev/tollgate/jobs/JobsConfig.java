package dev.tollgate.jobs;

import java.time.Duration;
import java.util.Optional;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds of the jobs' batches. (Their cron expressions are read by the scheduler: tollgate.jobs.*.cron.) */
@ConfigMapping(prefix = "tollgate.jobs")
public interface JobsConfig {

    ExpireHolds expireHolds();

    Refresh refresh();

    ProcessCompensations processCompensations();

    ArchiveUsage archiveUsage();

    PurgeRateLimits purgeRateLimits();

    ProcessTopUps processTopUps();

    ExpireGrants expireGrants();

    PredictDepletion predictDepletion();

    /** The job of grant lots (package grant; its bounds are {@code tollgate.grants.*}). */
    interface ExpireGrants {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();
    }

    /** The warning of a predicted depletion (its bounds are {@code tollgate.balance.depletion-warning.*}). */
    interface PredictDepletion {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();
    }

    /** The job of auto top-ups (package purchase). */
    interface ProcessTopUps {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();
    }

    /** The job of the rate limiter (its batch size is {@code tollgate.rate-limit.purge-batch-size}). */
    interface PurgeRateLimits {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();
    }

    interface ExpireHolds {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();

        /** Holds freed per transaction. */
        @WithDefault("200")
        @Min(1)
        @Max(10_000)
        int batchSize();

        /** Batches per run, at most. */
        @WithDefault("50")
        @Min(1)
        int maxBatches();
    }

    interface Refresh {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();

        /** Accounts refreshed per transaction. */
        @WithDefault("500")
        @Min(1)
        @Max(10_000)
        int batchSize();

        /** Batches per run, at most (a run that stops early is resumed by the next one). */
        @WithDefault("1000")
        @Min(1)
        int maxBatches();
    }

    interface ProcessCompensations {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();

        /** Rows looked at per batch. */
        @WithDefault("50")
        @Min(1)
        @Max(10_000)
        int batchSize();

        /** Batches per run, at most. */
        @WithDefault("20")
        @Min(1)
        int maxBatches();

        /** Attempts before a row is marked FAILED. */
        @WithDefault("5")
        @Min(1)
        int maxAttempts();

        /** Wait before the second attempt; doubled for each further one (at most 64 times). */
        @WithDefault("PT1M")
        Duration backoff();
    }

    /** The archival of usage rows; its retention and bounds are {@code tollgate.archival.*} (ArchivalConfig). */
    interface ArchiveUsage {
        /** When the scheduler runs it (read by {@link JobSchedule}). */
        Optional<String> cron();
    }
}
