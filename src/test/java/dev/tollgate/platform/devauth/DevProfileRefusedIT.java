package dev.tollgate.platform.devauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.TestDatabase;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * The dev key is public (it is in this repository), so nothing but {@code ./mvnw quarkus:dev} may
 * trust it. The packaged application ({@code target/quarkus-app}, built by {@code ./mvnw package})
 * holds neither the key nor the token mint, and refuses to start in the dev profile — started here
 * from the repository root, where {@code src/main/dev} is at hand, with a database it can reach: the
 * worst case. Not a {@code @QuarkusIntegrationTest}: that one starts the application in the prod
 * profile only.
 */
class DevProfileRefusedIT {

    static final Path APP = Path.of("target/quarkus-app");
    static final Path DEV_KEYS = Path.of("src/main/dev");
    static final Duration START_LIMIT = Duration.ofSeconds(90);

    @Test
    void thePackagedApplicationRefusesToStartInTheDevProfileAndNeverTrustsADevToken() throws Exception {
        assertThat(APP.resolve("quarkus-run.jar")).as("the packaged application (./mvnw package)").isRegularFile();
        String devToken = Jwt.issuer("tollgate-dev").audience("tollgate").subject("intruder")
                .groups(Set.of("user", "admin")).expiresIn(Duration.ofHours(1))
                .sign(KeyUtils.decodePrivateKey(Files.readString(DEV_KEYS.resolve("dev-signing-key.pem"))));
        int port = freePort();
        Path log = Files.createTempFile("tollgate-dev-profile", ".log");
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-Dquarkus.profile=dev",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + TestDatabase.jdbcUrl(),
                "-Dquarkus.datasource.username=" + TestDatabase.user(),
                "-Dquarkus.datasource.password=" + TestDatabase.password(),
                "-Dquarkus.scheduler.enabled=false",
                "-jar", APP.resolve("quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("QUARKUS_PROFILE");
        Process app = builder.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        List<Integer> answers = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (app.isAlive() && System.nanoTime() < deadline) {
                answers.add(balanceWith(http, port, devToken));
                if (answers.get(answers.size() - 1) == 200) {
                    break;
                }
                app.waitFor(250, TimeUnit.MILLISECONDS);
            }
        } finally {
            if (app.isAlive()) {
                app.destroy();
                if (!app.waitFor(10, TimeUnit.SECONDS)) {
                    app.destroyForcibly();
                }
            }
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        assertThat(answers).as("answers to a token signed by the dev key; output:%n%s", output).doesNotContain(200);
        assertThat(app.exitValue()).as("exit status; output:%n%s", output).isNotZero();
        assertThat(answers).as("it never listened").containsOnly(-1);
        assertThat(output).contains("dev profile").contains("./mvnw quarkus:dev");
    }

    @Test
    void thePackagedApplicationHoldsNeitherTheDevKeyNorTheTokenMint() throws IOException {
        assertThat(APP.resolve("quarkus-run.jar")).as("the packaged application (./mvnw package)").isRegularFile();
        List<String> secrets = List.of(keyMaterial("dev-signing-key.pub.pem"), keyMaterial("dev-signing-key.pem"));
        List<String> found = new ArrayList<>();
        int files;
        try (Stream<Path> walk = Files.walk(APP)) {
            List<Path> all = walk.filter(Files::isRegularFile).toList();
            files = all.size();
            for (Path file : all) {
                if (file.toString().endsWith(".jar")) {
                    scanJar(file, secrets, found);
                } else if (contains(Files.readAllBytes(file), secrets)) {
                    found.add(file.toString());
                }
            }
        }
        assertThat(files).as("files in %s", APP).isGreaterThan(10);
        assertThat(found).as("dev key material or token mint in the packaged application").isEmpty();
    }

    private static void scanJar(Path jar, List<String> secrets, List<String> found) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().contains("DevTokenResource")) {
                    found.add(jar + "!" + entry.getName());
                } else if (!entry.isDirectory() && contains(zip.readAllBytes(), secrets)) {
                    found.add(jar + "!" + entry.getName());
                }
            }
        }
    }

    /** A line of the key's base64 body: a piece no other text holds. */
    private static String keyMaterial(String file) throws IOException {
        String body = Files.readString(DEV_KEYS.resolve(file)).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertThat(body).hasSizeGreaterThan(200);
        return body.substring(100, 160);
    }

    private static boolean contains(byte[] bytes, List<String> secrets) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return secrets.stream().anyMatch(text::contains);
    }

    /** The status of GET /api/credit/balance with the token, or -1 when nothing answers. */
    private static int balanceWith(HttpClient http, int port, String token) throws InterruptedException {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/credit/balance")).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
