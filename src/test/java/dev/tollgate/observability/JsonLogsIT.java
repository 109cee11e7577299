package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged application (prod profile) logs one JSON object per line, for the cluster's log
 * collector; its output is where the integration-test launcher writes it (target/quarkus.log).
 * (Dev and test log plain text: the tests' own output shows it.)
 */
@QuarkusIntegrationTest
class JsonLogsIT {

    @Test
    void everyLineOfTheProdLogIsAJsonObject() throws Exception {
        Path log = Path.of("target", "quarkus.log");
        List<String> lines = Files.readAllLines(log).stream().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as("the application logged its start").anyMatch(line -> line.contains("Installed features"));
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            assertThat(record.isObject()).as(line).isTrue();
            assertThat(record.path("level").asText()).as(line).isNotBlank();
            assertThat(record.path("loggerName").asText()).as(line).isNotBlank();
            assertThat(record.has("message")).as(line).isTrue();
        }
    }
}
