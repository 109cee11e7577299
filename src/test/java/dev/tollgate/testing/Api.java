package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Calls of the HTTP API as a given user, for tests that are not about the API's shape. */
public final class Api {

    private Api() {
    }

    public static String newUser(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public static RequestSpecification as(String user) {
        return given().auth().oauth2(Tokens.user(user));
    }

    /** Opens the account of a new user (first call) and returns its id. */
    public static String openAccount(String prefix) {
        String user = newUser(prefix);
        as(user).get("/api/credit/balance").then().statusCode(200);
        return user;
    }

    public static String chargeBody(String model, long uncachedInput, long output) {
        return "{\"model\":\"" + model + "\",\"usage\":{\"uncachedInputTokens\":" + uncachedInput
                + ",\"outputTokens\":" + output + "}}";
    }

    public static Response charge(String user, String key, String body) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/credit/charges");
    }
}
