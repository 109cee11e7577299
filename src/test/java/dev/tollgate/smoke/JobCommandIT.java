package dev.tollgate.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tollgate.testing.TestDatabase;

/**
 * The one-shot job command of the packaged application, as a Kubernetes CronJob runs it: the same
 * artifact, {@code job <name>}, with the database settings and nothing else — no OIDC setting at
 * all, no HTTP or scheduler setting; it does its work, says so and exits 0 (2 for a job it does not
 * know; 1, with the reason, when it cannot start or reach its database). Every run here holds the
 * HTTP port and the management port it is given: a command that tried to listen on either could not
 * start, so a run that succeeds opened neither.
 */
class JobCommandIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @ParameterizedTest
    @ValueSource(strings = { "expire-holds", "process-compensations", "expire-grants" })
    void aJobRunsOnceAndExitsZero(String name) throws Exception {
        Run run = job(name, Map.of());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("job " + name + " done").doesNotContain("Listening on")
                .doesNotContain("Management interface listening")
                // The HTTP function's start-up work (ApiSmokeIT sees it in the serving app's log) is not done.
                .doesNotContain(ApiSmokeIT.UPSTREAM_CLIENTS_CREATED).doesNotContain(ApiSmokeIT.IMAGE_RULES_CHECKED);
    }

    @Test
    void anUnknownJobExitsTwo() throws Exception {
        Run run = job("no-such-job", Map.of());
        assertThat(run.exit()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("usage: job <name>");
    }

    @Test
    void aJobWhoseDatabaseCannotBeReachedExitsNonZeroAndSaysWhy() throws Exception {
        // Nothing listens on port 1 of the loopback address.
        Run run = job("expire-holds", Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/tollgate",
                "quarkus.datasource.jdbc.acquisition-timeout", "2S"));
        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).containsIgnoringCase("connection");
    }

    @Test
    void aTrustedProxyThatIsNoAddressStopsTheStartAndSaysWhich() throws Exception {
        // A host name: never resolved, so never a trusted proxy.
        Run run = job("expire-holds", Map.of("tollgate.http.trusted-proxies", "127.0.0.1,gateway.example.com"));
        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("tollgate.http.trusted-proxies")
                .contains("'gateway.example.com' is not an IP address or a CIDR range")
                .doesNotContain("job expire-holds done");
    }

    private record Run(int exit, String output) {
    }

    /**
     * Runs {@code job <name>} with the test database, and {@code settings} as system properties over
     * it, while this test holds the HTTP and management ports the command is given.
     */
    private static Run job(String name, Map<String, String> settings) throws Exception {
        assertThat(JAR).as("the packaged application (./mvnw package)").isRegularFile();
        Path log = Files.createTempFile("tollgate-job", ".log");
        try (ServerSocket http = heldPort(); ServerSocket management = heldPort()) {
            Map<String, String> properties = new LinkedHashMap<>(Map.of("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(),
                    "quarkus.datasource.username", TestDatabase.user(), "quarkus.datasource.password", TestDatabase.password(),
                    "quarkus.http.host", "127.0.0.1", "quarkus.http.port", String.valueOf(http.getLocalPort()),
                    "quarkus.management.host", "127.0.0.1", "quarkus.management.port", String.valueOf(management.getLocalPort())));
            properties.putAll(settings);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.addAll(List.of("-jar", JAR.toString(), "job", name));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            // Nothing of the HTTP function's settings reaches the command, whatever the environment of this build.
            builder.environment().keySet().removeIf(variable -> variable.startsWith("QUARKUS_") || variable.startsWith("TOLLGATE_"));
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the job command did not end in 120 s: " + Files.readString(log));
            }
            String output = Files.readString(log);
            Files.deleteIfExists(log);
            return new Run(process.exitValue(), output);
        }
    }

    /** A loopback port this test listens on: the command, given it, could not listen there too. */
    private static ServerSocket heldPort() throws Exception {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }
}
