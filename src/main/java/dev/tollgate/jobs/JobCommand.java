package dev.tollgate.jobs;

import jakarta.inject.Inject;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

import dev.tollgate.platform.launch.Launch;

/**
 * The entry point of the one artifact: with {@code job <name>} it runs that job once, prints what
 * it did and exits (0 done or skipped, 1 failed, 2 unknown job) — what a cron-triggered serverless
 * deployment calls, JVM or native alike; without arguments it serves HTTP until stopped.
 *
 * <p>The job command starts only what a job needs: {@link #main} switches off the HTTP listener,
 * the management interface, OIDC and the scheduler before Quarkus starts ({@link Launch#prepareJob}),
 * so it needs the database settings and nothing of the HTTP function's.
 */
@QuarkusMain
public class JobCommand implements QuarkusApplication {

    public static void main(String... args) {
        if (Launch.isJob(args)) {
            Launch.prepareJob();
        }
        Quarkus.run(JobCommand.class, args);
    }

    static final int FAILED = 1;
    static final int USAGE = 2;

    @Inject
    JobRunner runner;

    @Override
    public int run(String... args) {
        if (args.length == 0) {
            Quarkus.waitForExit();
            return 0;
        }
        if (args.length != 2 || !Launch.isJob(args) || !runner.knows(args[1])) {
            System.err.println("usage: job <name>   (jobs: " + String.join(", ", runner.names()) + ")");
            return USAGE;
        }
        try {
            System.out.println(runner.run(args[1]).line());
            return 0;
        } catch (RuntimeException e) {
            System.err.println("job " + args[1] + " failed: " + e.getMessage());
            return FAILED;
        }
    }
}
