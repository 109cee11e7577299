package dev.tollgate.testing;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a meter from the Prometheus text at {@code /q/metrics} of the management port. */
public final class Metrics {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Metrics() {
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels} (0 if there is none yet). */
    public static double value(String name, Map<String, String> labels) {
        String text = Management.given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line.trim());
            if (!sample.matches() || !sample.group(1).equals(name)) {
                continue;
            }
            if (hasLabels(sample.group(3), labels)) {
                sum += Double.parseDouble(sample.group(4));
            }
        }
        return sum;
    }

    public static double value(String name) {
        return value(name, Map.of());
    }

    private static boolean hasLabels(String text, Map<String, String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        if (text == null) {
            return false;
        }
        Map<String, String> found = new java.util.HashMap<>();
        Matcher label = LABEL.matcher(text);
        while (label.find()) {
            found.put(label.group(1), label.group(2));
        }
        return found.entrySet().containsAll(wanted.entrySet());
    }
}
