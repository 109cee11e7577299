package dev.tollgate.platform.devauth;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The dev-only token mint exists in dev mode only: not in tests, not in the packaged application. */
@QuarkusTest
class DevTokenEndpointTest {

    @Test
    void thereIsNoTokenMintOutsideDevMode() {
        given().queryParam("sub", "anyone").queryParam("admin", "true")
                .get("/dev/token")
                .then().statusCode(404);
    }
}
