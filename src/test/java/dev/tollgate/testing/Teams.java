package dev.tollgate.testing;

import static dev.tollgate.testing.Api.as;

import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Calls of the team API as a given user, and calls that spend from a team's pool. */
public final class Teams {

    public static final String ACCOUNT_HEADER = "X-Tollgate-Account";

    private Teams() {
    }

    /** Creates a team owned by {@code owner} with the given body; answers its id. */
    public static String create(String owner, String body) {
        return as(owner).contentType(ContentType.JSON).header("Idempotency-Key", "team-" + UUID.randomUUID()).body(body)
                .post("/api/teams").then().statusCode(201).extract().path("teamId");
    }

    /** Creates a team owned by {@code owner} with {@code member}, capped at {@code cap} millicredits (null: no cap). */
    public static String withMember(String owner, String member, Long cap) {
        return create(owner, "{\"name\":\"team of " + owner + "\",\"members\":[{\"userId\":\"" + member
                + "\",\"capMillicredits\":" + cap + "}]}");
    }

    /** A request of {@code user} that charges the team's pool. */
    public static RequestSpecification onPool(String user, String teamId) {
        return as(user).header(ACCOUNT_HEADER, "team:" + teamId);
    }

    public static Response charge(String user, String teamId, String key, String body) {
        return onPool(user, teamId).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/credit/charges");
    }

    public static Response putMember(String caller, String teamId, String member, String body) {
        return as(caller).contentType(ContentType.JSON).body(body).put("/api/teams/" + teamId + "/members/" + member);
    }
}
