package dev.tollgate.observability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The probes of the deployment (infra/service.yaml): liveness says the process runs, readiness
 * also that the database answers (Quarkus' datasource check); both are open without a token.
 */
@QuarkusTest
class HealthTest {

    static final String DATABASE_CHECK = "Database connections health check";

    @Test
    void readinessReportsTheDatabaseCheckUp() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(DATABASE_CHECK))
                .body("checks.find { it.name == '" + DATABASE_CHECK + "' }.status", equalTo("UP"));
    }

    @Test
    void livenessIsUpAndDoesNotDependOnTheDatabase() {
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", not(hasItem(DATABASE_CHECK)));
    }
}
