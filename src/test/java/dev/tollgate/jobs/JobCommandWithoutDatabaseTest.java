package dev.tollgate.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.ConfigOverrides;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A job run whose database cannot be reached fails loudly: a non-zero exit and the reason. */
@QuarkusMainTest
@TestProfile(JobCommandWithoutDatabaseTest.UnreachableDatabase.class)
class JobCommandWithoutDatabaseTest {

    /** Nothing listens on port 1 of the loopback address. */
    public static class UnreachableDatabase extends ConfigOverrides {
        public UnreachableDatabase() {
            super(Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/tollgate",
                    "quarkus.datasource.jdbc.acquisition-timeout", "2S"));
        }
    }

    @Test
    @Launch(value = { "job", "expire-holds" }, exitCode = 1)
    void exitsNonZeroAndSaysWhy(LaunchResult result) {
        assertThat(result.getOutput() + result.getErrorOutput()).containsIgnoringCase("connection");
    }
}
