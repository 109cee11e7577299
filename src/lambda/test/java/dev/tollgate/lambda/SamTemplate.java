package dev.tollgate.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** infra/lambda/template.yaml, the AWS SAM template of the Lambda deployment, as data. */
record SamTemplate(JsonNode root) {

    static final Path FILE = Path.of("infra/lambda/template.yaml");

    static SamTemplate read() {
        try {
            return new SamTemplate(new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode function(String name) {
        JsonNode function = root.path("Resources").path(name);
        if (!function.path("Type").asText().equals("AWS::Serverless::Function")) {
            throw new AssertionError("no function " + name + " in " + FILE);
        }
        return function;
    }

    /** The constant input with which the schedule {@code event} of {@code function} invokes it. */
    String scheduleInput(String function, String event) {
        JsonNode schedule = function(function).path("Properties").path("Events").path(event);
        if (!schedule.path("Type").asText().equals("Schedule")) {
            throw new AssertionError("no schedule " + event + " of " + function + " in " + FILE);
        }
        return schedule.path("Properties").path("Input").asText();
    }
}
