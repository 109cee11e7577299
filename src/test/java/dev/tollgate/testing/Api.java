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

    /** An OpenAI chat request for the fake provider, about character "luna" in conversation "conv-1". */
    public static String chatBody(String model, String content, Integer maxTokens, boolean stream) {
        io.vertx.core.json.JsonObject body = FakeProvider.chatRequest(model, content).put("stream", stream)
                .put("metadata", new io.vertx.core.json.JsonObject().put("character_id", "luna").put("conversation_id", "conv-1"));
        if (maxTokens != null) {
            body.put("max_tokens", maxTokens);
        }
        return body.encode();
    }

    public static Response preCheck(String user, String body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/api/credit/pre-check");
    }

    public static Response charge(String user, String key, String body) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/credit/charges");
    }
}
