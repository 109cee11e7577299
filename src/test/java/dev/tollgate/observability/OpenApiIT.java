package dev.tollgate.observability;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks as {@link OpenApiTest}, against the packaged application, which has no Swagger UI. */
@QuarkusIntegrationTest
class OpenApiIT extends OpenApiTest {

    @Test
    void swaggerUiIsOnlyInDevMode() {
        given().get("/q/swagger-ui/").then().statusCode(404);
    }
}
