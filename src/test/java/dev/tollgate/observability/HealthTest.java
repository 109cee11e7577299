package dev.tollgate.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The probes of the deployment (infra/service.yaml), on the management port: liveness says the
 * process runs, readiness also that the database answers (Quarkus' datasource check); both are
 * open without a token. Health, metrics and the OpenAPI document are served there and only there:
 * the public port answers 404 for them.
 */
@QuarkusTest
class HealthTest {

    static final String DATABASE_CHECK = "Database connections health check";
    static final List<String> MANAGEMENT_PATHS = List.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/metrics", "/q/openapi");

    @Test
    void readinessReportsTheDatabaseCheckUp() {
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(DATABASE_CHECK))
                .body("checks.find { it.name == '" + DATABASE_CHECK + "' }.status", equalTo("UP"));
    }

    @Test
    void livenessIsUpAndDoesNotDependOnTheDatabase() {
        Management.given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", not(hasItem(DATABASE_CHECK)));
    }

    @Test
    void healthMetricsAndTheDocumentAreServedOnTheManagementPortOnly() {
        assertThat(Management.port()).as("the management port").isPositive().isNotEqualTo(RestAssured.port);
        Management.given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .body(containsString("tollgate_"));
        Management.given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/chat/completions"));
        // The public port serves the API (it answers) but none of the management paths.
        given().get("/api/credit/balance").then().statusCode(401);
        for (String path : MANAGEMENT_PATHS) {
            given().accept("*/*").get(path).then().statusCode(404);
        }
    }
}
