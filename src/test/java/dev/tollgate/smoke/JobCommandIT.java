package dev.tollgate.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
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
 * artifact, {@code job <name>}, no HTTP listener and no scheduler of its own; it does its work,
 * says so and exits 0 (2 for a job it does not know; 1, with the reason, when it cannot start or
 * reach its database).
 */
class JobCommandIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @ParameterizedTest
    @ValueSource(strings = { "expire-holds", "process-compensations", "expire-grants" })
    void aJobRunsOnceAndExitsZero(String name) throws Exception {
        Run run = job(name, Map.of());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("job " + name + " done");
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

    /** Runs {@code job <name>} with the test database, and {@code settings} as system properties over it. */
    private static Run job(String name, Map<String, String> settings) throws Exception {
        assertThat(JAR).as("the packaged application (./mvnw package)").isRegularFile();
        Path log = Files.createTempFile("tollgate-job", ".log");
        Map<String, String> properties = new LinkedHashMap<>(Map.of("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(),
                "quarkus.datasource.username", TestDatabase.user(), "quarkus.datasource.password", TestDatabase.password()));
        properties.putAll(settings);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", JAR.toString(), "job", name));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // A job verifies no token, but the application needs an identity provider to start: a key of its own.
        builder.environment().put("QUARKUS_OIDC_AUTH_SERVER_URL", "");
        builder.environment().put("QUARKUS_OIDC_DISCOVERY_ENABLED", "false");
        builder.environment().put("QUARKUS_OIDC_PUBLIC_KEY", Base64.getEncoder().encodeToString(
                KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded()));
        builder.environment().put("QUARKUS_OIDC_TOKEN_ISSUER", "tollgate-job");
        builder.environment().put("QUARKUS_HTTP_HOST_ENABLED", "false");
        builder.environment().put("QUARKUS_SCHEDULER_ENABLED", "false");
        builder.environment().remove("QUARKUS_PROFILE");
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
