package dev.tollgate.ratelimit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tollgate.testing.Management;

/** Reads {@code tollgate_rate_limit_rejections_total} of a tier from the Prometheus endpoint (management port). */
final class RejectionMetric {

    private RejectionMetric() {
    }

    static double read(String tier) {
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^tollgate_rate_limit_rejections_total\\{[^}]*tier=\"" + tier + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE).matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no rejection counter for tier " + tier);
        }
        return Double.parseDouble(m.group(1));
    }
}
