package dev.tollgate.infra;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.tollgate.jobs.JobRunner;
import dev.tollgate.platform.http.TrustedProxies;
import dev.tollgate.platform.launch.Launch;
import dev.tollgate.testing.Management;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every manifest in {@code infra/} against the application it deploys: one image (the one the
 * kustomization sets), the image's own entry point with {@code job <name>} for each job the
 * application really has (and a CronJob for every one of them, on the scheduler's own cron, with
 * none of the HTTP function's settings), the HTTP port, and the management port with the health
 * and metrics paths the application serves there, and only environment variables that set a
 * real configuration property — a Quarkus run-time property (from the config model each extension
 * ships) or one that {@code application.properties} reads. Renaming a job, a property or an
 * environment variable on one side only fails here.
 */
@QuarkusTest
class InfraManifestsTest {

    static final Path INFRA = Path.of("infra");
    static final YAMLMapper YAML = new YAMLMapper();
    static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");

    static Map<Path, List<JsonNode>> manifests;
    static Properties appProperties;
    /** Environment variable of every Quarkus property on the classpath → its phase (RUN_TIME, BUILD_TIME, …). */
    static Map<String, String> quarkusEnv;
    static Map<String, String> quarkusDefaults;

    @Inject
    JobRunner jobs;

    @BeforeAll
    static void read() throws IOException {
        manifests = new HashMap<>();
        try (Stream<Path> files = Files.list(INFRA)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                List<JsonNode> documents = new ArrayList<>();
                try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                            documents.add(doc);
                        }
                    }
                }
                manifests.put(file.getFileName(), documents);
            }
        }
        appProperties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            appProperties.load(in);
        }
        quarkusEnv = new HashMap<>();
        quarkusDefaults = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        Enumeration<URL> models = InfraManifestsTest.class.getClassLoader()
                .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json");
        for (URL model : Collections.list(models)) {
            try (InputStream in = model.openStream()) {
                collectProperties(json.readTree(in));
            }
        }
    }

    private static void collectProperties(JsonNode node) {
        if (node.isObject()) {
            JsonNode path = node.get("path");
            if (path != null && path.has("environmentVariable")) {
                quarkusEnv.put(path.get("environmentVariable").asText(), node.path("phase").asText());
                if (node.hasNonNull("defaultValue")) {
                    quarkusDefaults.put(path.get("property").asText(), node.get("defaultValue").asText());
                }
            }
        }
        node.forEach(InfraManifestsTest::collectProperties);
    }

    @Test
    void everyManifestParsesAndIsDeployedByTheKustomization() {
        assertThat(manifests.keySet()).contains(Path.of("kustomization.yaml"), Path.of("service.yaml"),
                Path.of("cronjobs.yaml"), Path.of("secret.yaml"));
        manifests.forEach((file, docs) -> {
            assertThat(docs).as(file + " has documents").isNotEmpty();
            docs.forEach(doc -> assertThat(doc.path("kind").asText()).as(file + ": kind").isNotBlank());
            docs.forEach(doc -> assertThat(doc.path("apiVersion").asText()).as(file + ": apiVersion").isNotBlank());
        });
        Set<String> listed = new TreeSet<>();
        kustomization().path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = manifests.keySet().stream().map(Path::toString)
                .filter(name -> !name.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).isEqualTo(files);
    }

    @Test
    void everyContainerRunsTheOneImageThroughItsOwnEntryPoint() {
        String image = kustomization().path("images").get(0).path("name").asText();
        assertThat(kustomization().path("images")).hasSize(1);
        assertThat(image).isEqualTo(property("quarkus.application.name"));
        List<JsonNode> containers = allContainers();
        assertThat(containers).hasSize(1 + jobs.names().size());
        for (JsonNode container : containers) {
            assertThat(container.path("image").asText()).as(container.path("name").asText()).isEqualTo(image);
            // The entry point of both images (run-java.sh, ./application) starts the application.
            assertThat(container.has("command")).as("command of " + container.path("name")).isFalse();
        }
    }

    @Test
    void theServiceServesOnTheApplicationsPortProbesAndIsScrapedOnTheManagementPortWithBoundedConcurrency() {
        JsonNode service = single("serving.knative.dev/v1", "Service");
        JsonNode spec = service.path("spec").path("template").path("spec");
        JsonNode annotations = service.path("spec").path("template").path("metadata").path("annotations");
        assertThat(annotations.path("autoscaling.knative.dev/min-scale").asText()).isEqualTo("0");
        assertThat(spec.path("containerConcurrency").asInt()).isPositive();
        JsonNode container = spec.path("containers").get(0);
        assertThat(spec.path("containers")).hasSize(1);
        assertThat(container.has("args")).as("the service serves: no job arguments").isFalse();
        assertThat(container.path("ports")).hasSize(1);
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(httpPort());
        // Readiness asks the application's own health endpoint on the management port (served here by the
        // test application on its management test port; the public port does not serve it). Liveness is
        // a TCP check of the serving port: Knative sends an HTTP liveness probe to the serving port.
        JsonNode readiness = container.path("readinessProbe").path("httpGet");
        String managementRoot = "/" + property("quarkus.management.root-path");
        assertThat(readiness.path("path").asText()).isEqualTo(managementRoot + "/health/ready");
        assertThat(readiness.path("port").asInt()).isEqualTo(managementPort());
        Management.given().get(readiness.path("path").asText()).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
        given().get(readiness.path("path").asText()).then().statusCode(404);
        assertThat(container.path("livenessProbe").has("httpGet")).isFalse();
        assertThat(container.path("livenessProbe").path("tcpSocket").path("port").asInt()).isEqualTo(httpPort());
        // Prometheus scrapes the management port, where the metrics are.
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asInt()).isEqualTo(managementPort());
        String metrics = annotations.path("prometheus.io/path").asText();
        assertThat(metrics).isEqualTo(managementRoot + "/metrics");
        Management.given().accept("text/plain").get(metrics).then().statusCode(200)
                .body(containsString("tollgate_"));
        given().get(metrics).then().statusCode(404);
        assertResources(container);
        assertThat(env(container)).containsEntry("QUARKUS_SCHEDULER_ENABLED", "false");
    }

    @Test
    void theServiceTrustsKnativesQueueProxyOnTheLoopbackAndNothingPublic() {
        JsonNode container = single("serving.knative.dev/v1", "Service").path("spec").path("template").path("spec")
                .path("containers").get(0);
        String value = env(container).get("TOLLGATE_TRUSTED_PROXIES");
        assertThat(value).as("TOLLGATE_TRUSTED_PROXIES of the service").isNotBlank();
        TrustedProxies proxies = TrustedProxies.of(List.of(value.split(",")));
        assertThat(proxies.trusts("127.0.0.1")).isTrue();
        assertThat(proxies.trusts("::1")).isTrue();
        assertThat(proxies.trusts("203.0.113.9")).isFalse();
        // The queue-proxy appends the address that called it: that hop is read, what the caller wrote is not.
        assertThat(proxies.clientIp("127.0.0.1", List.of("192.0.2.1, 203.0.113.9"))).isEqualTo("203.0.113.9");
    }

    @Test
    void everyJobHasACronJobThatRunsItOnceOnTheSchedulersCron() {
        List<JsonNode> cronJobs = all("batch/v1", "CronJob");
        Set<String> scheduled = new HashSet<>();
        for (JsonNode cronJob : cronJobs) {
            String name = cronJob.path("metadata").path("name").asText();
            JsonNode spec = cronJob.path("spec");
            assertThat(spec.path("concurrencyPolicy").asText()).as(name).isEqualTo("Forbid");
            JsonNode pod = spec.path("jobTemplate").path("spec").path("template").path("spec");
            assertThat(pod.path("restartPolicy").asText()).as(name).isIn("Never", "OnFailure");
            assertThat(pod.path("containers")).as(name).hasSize(1);
            JsonNode container = pod.path("containers").get(0);
            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            assertThat(args).as(name + " args").hasSize(2).startsWith("job");
            String job = args.get(1);
            assertThat(jobs.knows(job)).as(name + " runs job '" + job + "', which the application knows").isTrue();
            assertThat(scheduled.add(job)).as("one CronJob per job: " + job).isTrue();
            assertThat(spec.path("schedule").asText()).as(name + " schedule")
                    .isEqualTo(unixCron(property("tollgate.jobs." + job + ".cron")));
            assertThat(spec.path("timeZone").asText()).as(name).isEqualTo("Etc/UTC");
            // The job command switches off the HTTP listener, the management interface, OIDC and the scheduler
            // itself: a CronJob sets none of the HTTP function's settings.
            assertThat(env(container).keySet()).as(name)
                    .noneMatch(variable -> variable.matches("(QUARKUS_(OIDC|HTTP|MANAGEMENT|SCHEDULER)|TOLLGATE_OIDC)_.*"))
                    .contains("QUARKUS_DATASOURCE_JDBC_URL");
            assertResources(container);
        }
        assertThat(scheduled).isEqualTo(jobs.names());
    }

    @Test
    void theJobCommandSwitchesOffRealRunTimePropertiesOnly() {
        // What the CronJobs no longer set, the command sets itself: each a Quarkus property read at run time
        // (a renamed or build-time property would silently leave its part running).
        assertThat(Launch.jobSettings()).containsOnlyKeys("quarkus.http.host-enabled", "quarkus.management.host-enabled",
                "quarkus.oidc.tenant-enabled", "quarkus.scheduler.enabled");
        Launch.jobSettings().forEach((property, value) -> {
            String variable = property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
            assertThat(quarkusEnv).as(property).containsEntry(variable, "RUN_TIME");
            assertThat(quarkusDefaults).as(property + " is on by default").containsEntry(property, "true");
            assertThat(value).as(property).isEqualTo("false");
        });
    }

    @Test
    void everyEnvironmentVariableSetsARealRunTimeProperty() {
        Set<String> applicationEnv = applicationEnvNames();
        // Guard against a vacuous check: the names the README documents are found where they should be.
        assertThat(applicationEnv).contains("TOLLGATE_OIDC_AUDIENCE", "OPENAI_API_KEY");
        assertThat(quarkusEnv).containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "RUN_TIME");
        for (JsonNode container : allContainers()) {
            for (String name : env(container).keySet()) {
                if (quarkusEnv.containsKey(name)) {
                    // Build-time properties are fixed in the image: setting them at run time does nothing.
                    assertThat(quarkusEnv.get(name)).as(name + " can be set at run time").isEqualTo("RUN_TIME");
                } else {
                    assertThat(applicationEnv).as(name + " is a Quarkus property or one application.properties reads")
                            .contains(name);
                }
            }
        }
    }

    @Test
    void theSecretIsATemplateWithEveryKeyTheContainersRead() {
        JsonNode secret = single("v1", "Secret");
        String secretName = secret.path("metadata").path("name").asText();
        Set<String> keys = new TreeSet<>();
        secret.path("stringData").fieldNames().forEachRemaining(keys::add);
        assertThat(secret.has("data")).as("no encoded values in the template").isFalse();
        secret.path("stringData").forEach(value -> assertThat(value.asText()).contains("REPLACE_ME"));
        Set<String> read = new TreeSet<>();
        for (JsonNode container : allContainers()) {
            for (JsonNode variable : container.path("env")) {
                JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode()) {
                    assertThat(ref.path("name").asText()).isEqualTo(secretName);
                    assertThat(keys).as("the Secret has key " + ref.path("key")).contains(ref.path("key").asText());
                    read.add(ref.path("key").asText());
                }
            }
        }
        assertThat(read).as("every key of the Secret is read").isEqualTo(keys);
        assertThat(keys).contains("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                "QUARKUS_DATASOURCE_PASSWORD", "QUARKUS_OIDC_AUTH_SERVER_URL");
    }

    @Test
    void theImagesExposeTheApplicationsPortsAndRunAsNonRoot() throws IOException {
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.jvm-aot", "Dockerfile.native-micro")) {
            List<String> lines = Files.readAllLines(Path.of("src/main/docker", dockerfile));
            assertThat(lines).as(dockerfile).contains("EXPOSE " + httpPort() + " " + managementPort());
            List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
            assertThat(users).as(dockerfile).isNotEmpty();
            assertThat(users.get(users.size() - 1)).as(dockerfile).doesNotMatch("USER (root|0)(:.*)?");
        }
    }

    @Test
    void theAotOverlayDeploysTheSameManifestsWithOnlyTheImageTagSwapped() throws IOException {
        JsonNode overlay = YAML.readTree(Path.of("infra-aot/kustomization.yaml").toFile());
        assertThat(overlay.path("kind").asText()).isEqualTo("Kustomization");
        List<String> resources = new ArrayList<>();
        overlay.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactly("../infra");
        Set<String> fields = new TreeSet<>();
        overlay.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("apiVersion", "kind", "resources", "images");
        JsonNode base = kustomization().path("images").get(0);
        assertThat(overlay.path("images")).hasSize(1);
        JsonNode swap = overlay.path("images").get(0);
        // The base has already renamed the image when the overlay's transformer runs.
        assertThat(swap.path("name").asText()).isEqualTo(base.path("newName").asText());
        assertThat(swap.path("newTag").asText()).isNotBlank().isNotEqualTo(base.path("newTag").asText());
        assertThat(swap.has("newName")).isFalse();
    }

    // The checks' own checks: the conversions they rely on.

    @Test
    void quartzCronBecomesUnixCron() {
        assertThat(unixCron("0 5 * 1 * ?")).isEqualTo("5 * 1 * *");
        assertThat(unixCron("30 */5 * * * ?")).isEqualTo("*/5 * * * *");
        assertThat(unixCron("0 17 3 * * ?")).isEqualTo("17 3 * * *");
    }

    @Test
    void applicationEnvNamesAreReferencesAndKeysOfApplicationProperties() {
        assertThat(applicationEnvNames()).contains("TOLLGATE_PLANS_DEFAULT_PLAN", "TOLLGATE_OIDC_CLIENT_ID",
                "OPENAI_BASE_URL", "TOLLGATE_PROVIDERS_OPENAI_BASE_URL")
                .doesNotContain("TOLLGATE_OIDC_AUDIENCE_TYPO", "OPENAI_KEY");
    }

    // Helpers

    private static JsonNode kustomization() {
        return manifests.get(Path.of("kustomization.yaml")).get(0);
    }

    private static List<JsonNode> all(String apiVersion, String kind) {
        return manifests.values().stream().flatMap(List::stream)
                .filter(doc -> doc.path("apiVersion").asText().equals(apiVersion) && doc.path("kind").asText().equals(kind))
                .toList();
    }

    private static JsonNode single(String apiVersion, String kind) {
        List<JsonNode> found = all(apiVersion, kind);
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    /** Every container of every manifest, wherever it sits (a "containers" list at any depth). */
    private static List<JsonNode> allContainers() {
        List<JsonNode> containers = new ArrayList<>();
        manifests.values().stream().flatMap(List::stream).forEach(doc -> collectContainers(doc, containers));
        return containers;
    }

    private static void collectContainers(JsonNode node, List<JsonNode> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("containers") || field.getKey().equals("initContainers")) {
                    field.getValue().forEach(into::add);
                } else {
                    collectContainers(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectContainers(child, into));
        }
    }

    /** Name → literal value (or the secret key it comes from). */
    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            assertThat(env).as("set once: " + name).doesNotContainKey(name);
            env.put(name, variable.has("value") ? variable.path("value").asText()
                    : "secret:" + variable.path("valueFrom").path("secretKeyRef").path("key").asText());
        }
        assertThat(container.has("envFrom")).as("every variable is named (no envFrom)").isFalse();
        return env;
    }

    private static void assertResources(JsonNode container) {
        for (String bound : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertThat(container.path("resources").path(bound).path(resource).asText())
                        .as(container.path("name") + " " + bound + "." + resource).isNotBlank();
            }
        }
    }

    private static int httpPort() {
        return Integer.parseInt(property("quarkus.http.port"));
    }

    private static int managementPort() {
        return Integer.parseInt(property("quarkus.management.port"));
    }

    /**
     * A property as the deployed (prod) application sees it without environment: application.properties
     * (its %prod value first), else the default of the Quarkus extension. (The test profile serves a
     * random port, so the running test application is not asked.)
     */
    private static String property(String name) {
        String value = appProperties.getProperty("%prod." + name, appProperties.getProperty(name, quarkusDefaults.get(name)));
        assertThat(value).as(name).isNotBlank();
        return value.replaceAll("^/+|/+$", "");
    }

    /** A Quartz expression of the scheduler (seconds first, '?' for no day) as a Kubernetes schedule. */
    static String unixCron(String quartz) {
        String[] fields = quartz.trim().split("\\s+");
        assertThat(fields).as(quartz).hasSizeBetween(6, 7);
        assertThat(fields[0]).as("the seconds of " + quartz).matches("\\d+");
        return Stream.of(fields[1], fields[2], fields[3], fields[4], fields[5])
                .map(f -> f.equals("?") ? "*" : f).collect(Collectors.joining(" "));
    }

    /**
     * The environment variables application.properties reads: the {@code ${NAME…}} it references,
     * and the environment form of each of its keys (profile prefix dropped).
     */
    static Set<String> applicationEnvNames() {
        Set<String> names = new TreeSet<>();
        for (String key : appProperties.stringPropertyNames()) {
            String plain = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            names.add(plain.replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
            Matcher references = ENV_REFERENCE.matcher(appProperties.getProperty(key));
            while (references.find()) {
                names.add(references.group(1));
            }
        }
        return names;
    }

    static {
        // Reading files relative to the module: fail clearly when run from elsewhere.
        if (!Files.isDirectory(INFRA)) {
            throw new UncheckedIOException(new IOException("run from the module directory: no " + INFRA.toAbsolutePath()));
        }
    }
}
