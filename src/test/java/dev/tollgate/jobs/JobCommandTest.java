package dev.tollgate.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** The one-shot command runs a job against the real database, prints what it did and exits. */
@QuarkusMainTest
class JobCommandTest {

    @Test
    @Launch({ "job", "expire-holds" })
    void runsAJobOnceAndExitsZero(LaunchResult result) {
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).contains("job expire-holds done");
    }

    @Test
    @Launch(value = { "job", "process-compensations" })
    void runsTheCompensationBatch(LaunchResult result) {
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).contains("job process-compensations done");
    }

    @Test
    @Launch(value = { "job", "no-such-job" }, exitCode = 2)
    void anUnknownJobIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("usage: job <name>");
    }
}
