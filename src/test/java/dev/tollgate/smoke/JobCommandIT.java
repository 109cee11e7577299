package dev.tollgate.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.TestDatabase;

/**
 * The one-shot job command of the packaged application, as a Kubernetes CronJob runs it: the same
 * artifact, {@code job <name>}, no HTTP listener and no scheduler of its own; it does its work,
 * says so and exits 0 (2 for a job it does not know).
 */
class JobCommandIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void aJobRunsOnceAndExitsZero() throws Exception {
        Run run = job("expire-holds");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("expire-holds");
    }

    @Test
    void anUnknownJobExitsTwo() throws Exception {
        Run run = job("no-such-job");
        assertThat(run.exit()).as(run.output()).isEqualTo(2);
    }

    private record Run(int exit, String output) {
    }

    private static Run job(String name) throws Exception {
        assertThat(JAR).as("the packaged application (./mvnw package)").isRegularFile();
        Path log = Files.createTempFile("tollgate-job", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.datasource.jdbc.url=" + TestDatabase.jdbcUrl(),
                "-Dquarkus.datasource.username=" + TestDatabase.user(),
                "-Dquarkus.datasource.password=" + TestDatabase.password(),
                "-jar", JAR.toString(), "job", name)
                .redirectErrorStream(true).redirectOutput(log.toFile());
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
