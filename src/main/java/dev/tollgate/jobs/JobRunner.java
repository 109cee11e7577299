package dev.tollgate.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jobs.Job;
import dev.tollgate.platform.jobs.JobReport;
import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Runs a job by name, whoever asks (scheduler, one-shot command, admin API), under a PostgreSQL
 * session advisory lock of its own, so that two runs of one job — on any instances — never
 * overlap: the second is skipped. The lock goes with the session, so a run that dies frees it.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final Map<String, Job> jobs = new TreeMap<>();

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry meters;

    @Inject
    JobRunner(@Any Instance<Job> all) {
        for (Job job : all) {
            jobs.put(job.name(), job);
        }
    }

    JobRunner() {
        // for the CDI proxy
    }

    public boolean knows(String name) {
        return jobs.containsKey(name);
    }

    public java.util.Set<String> names() {
        return jobs.keySet();
    }

    public JobReport run(String name) {
        Job job = jobs.get(name);
        if (job == null) {
            throw new UnknownJobException(name);
        }
        long started = System.nanoTime();
        try (Connection lockSession = dataSource.getConnection()) {
            if (!advisoryLock(lockSession, "pg_try_advisory_lock", name)) {
                JobReport skipped = JobReport.skipped(name);
                LOG.info(skipped.line());
                return skipped;
            }
            try {
                JobReport report = job.run().took((System.nanoTime() - started) / 1_000_000);
                meters.counter("tollgate.jobs.runs", "job", name, "status", report.status()).increment();
                meters.counter("tollgate.jobs.rows", "job", name).increment(report.processed());
                meters.counter("tollgate.jobs.rows.failed", "job", name).increment(report.failed());
                meters.timer("tollgate.jobs.duration", "job", name).record(report.millis(), TimeUnit.MILLISECONDS);
                LOG.info(report.line());
                return report;
            } finally {
                advisoryLock(lockSession, "pg_advisory_unlock", name);
            }
        } catch (SQLException e) {
            meters.counter("tollgate.jobs.runs", "job", name, "status", "failed").increment();
            throw DatabaseFailure.of("job lock", e);
        } catch (RuntimeException e) {
            meters.counter("tollgate.jobs.runs", "job", name, "status", "failed").increment();
            throw e;
        }
    }

    private static boolean advisoryLock(Connection session, String function, String name) throws SQLException {
        // Two 32-bit keys: a constant for Tollgate's jobs, and the job's name hashed by PostgreSQL.
        try (PreparedStatement ps = session.prepareStatement("SELECT " + function + "(7470, hashtext(?))")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** No job has this name. Answered with 404. */
    public static final class UnknownJobException extends ProblemException {
        private final String name;

        UnknownJobException(String name) {
            super("unknown job");
            this.name = name;
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.UNKNOWN_JOB, "There is no job with this name.").with("job", name);
        }
    }
}
