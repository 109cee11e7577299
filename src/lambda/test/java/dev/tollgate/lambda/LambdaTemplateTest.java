package dev.tollgate.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.vertx.core.json.JsonObject;

/**
 * infra/lambda/template.yaml against the Knative deployment and the application: the job function
 * runs every job of infra/cronjobs.yaml on the same schedule, each with an input that routes to its
 * job; only the job function runs jobs, and only the HTTP function is behind the HTTP API.
 */
class LambdaTemplateTest {

    private static final String JOBS_FLAG = "TOLLGATE_LAMBDA_SCHEDULED_JOBS_ENABLED";

    private final SamTemplate template = SamTemplate.read();

    @Test
    void theJobFunctionRunsEveryCronJobOnItsScheduleAndEachInputRoutesToItsJob() throws IOException {
        Map<String, String> scheduled = new TreeMap<>();
        template.function("TollgateJobs").path("Properties").path("Events").properties().forEach(event -> {
            JsonNode properties = event.getValue().path("Properties");
            assertThat(event.getValue().path("Type").asText()).as(event.getKey()).isEqualTo("Schedule");
            JsonObject input = new JsonObject(properties.path("Input").asText());
            String path = input.getString("rawPath");
            assertThat(path).as(event.getKey()).startsWith("/lambda/jobs/");
            String job = path.substring("/lambda/jobs/".length());
            assertThat(input.getJsonObject("requestContext").getJsonObject("http").getString("method")).isEqualTo("POST");
            assertThat(input.getJsonObject("requestContext").getJsonObject("http").getString("path")).isEqualTo(path);
            assertThat(input.getJsonObject("requestContext").containsKey("apiId")).as("a scheduled input names no gateway").isFalse();
            assertThat(input.getString("version")).isEqualTo("2.0");
            assertThat(scheduled.put(job, properties.path("Schedule").asText())).as("one schedule for " + job).isNull();
        });
        Map<String, String> cronJobs = cronJobs();
        assertThat(cronJobs).as("infra/cronjobs.yaml").hasSizeGreaterThanOrEqualTo(8);
        Map<String, String> expected = new TreeMap<>();
        cronJobs.forEach((job, schedule) -> expected.put(job, eventBridgeCron(schedule)));
        assertThat(scheduled).isEqualTo(expected);
    }

    @Test
    void onlyTheJobFunctionRunsJobsAndOnlyTheHttpFunctionIsBehindTheApi() {
        JsonNode http = template.function("TollgateHttp").path("Properties");
        JsonNode jobs = template.function("TollgateJobs").path("Properties");
        assertThat(http.path("Events").path("Api").path("Type").asText()).isEqualTo("HttpApi");
        assertThat(http.path("Environment").path("Variables").has(JOBS_FLAG)).isFalse();
        assertThat(template.root().path("Globals").path("Function").path("Environment").path("Variables").has(JOBS_FLAG)).isFalse();
        assertThat(jobs.path("Environment").path("Variables").path(JOBS_FLAG).asText()).isEqualTo("true");
        jobs.path("Events").forEach(event -> assertThat(event.path("Type").asText()).isEqualTo("Schedule"));
        assertThat(http.path("Timeout").asInt()).as("API Gateway's integration limit").isBetween(1, 30);
        assertThat(jobs.path("Timeout").asInt()).as("Lambda's limit").isBetween(60, 900);
    }

    @Test
    void bothFunctionsRunThePackageOfTheLambdaProfileWithQuarkusHandler() {
        JsonNode function = template.root().path("Globals").path("Function");
        assertThat(SamTemplate.FILE.getParent().resolve(function.path("CodeUri").asText()).normalize())
                .isEqualTo(Path.of("target/lambda/function.zip"));
        assertThat(function.path("Handler").asText()).isEqualTo("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
        assertThat(function.path("Runtime").asText()).matches("java(17|21|25)");
        JsonNode env = function.path("Environment").path("Variables");
        assertThat(env.path("QUARKUS_SCHEDULER_ENABLED").asText()).isEqualTo("false");
        assertThat(env.has("QUARKUS_DATASOURCE_JDBC_URL")).isTrue();
        assertThat(env.has("QUARKUS_OIDC_AUTH_SERVER_URL")).isTrue();
    }

    /** Each CronJob of infra/cronjobs.yaml: its job → its (Kubernetes, UTC) schedule. */
    private static Map<String, String> cronJobs() throws IOException {
        Map<String, String> jobs = new TreeMap<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(Files.readString(Path.of("infra/cronjobs.yaml")))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || !doc.path("kind").asText().equals("CronJob")) {
                    continue;
                }
                assertThat(doc.path("spec").path("timeZone").asText()).isEqualTo("Etc/UTC");
                JsonNode args = doc.path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                        .path("containers").path(0).path("args");
                assertThat(args.path(0).asText()).isEqualTo("job");
                jobs.put(args.path(1).asText(), doc.path("spec").path("schedule").asText());
            }
        }
        return jobs;
    }

    /** A Kubernetes schedule (minute hour day month weekday) as an EventBridge cron expression. */
    static String eventBridgeCron(String unix) {
        String[] f = unix.trim().split("\\s+");
        assertThat(f).as(unix).hasSize(5);
        assertThat(f[4]).as("no weekday schedules here: " + unix).isEqualTo("*");
        return "cron(" + step(f[0]) + " " + step(f[1]) + " " + step(f[2]) + " " + step(f[3]) + " ? *)";
    }

    private static String step(String field) {
        return field.startsWith("*/") ? "0/" + field.substring(2) : field;
    }
}
