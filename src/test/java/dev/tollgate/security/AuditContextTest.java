package dev.tollgate.security;

import static dev.tollgate.testing.Api.chargeBody;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Every audit row a request causes keeps that request's client IP and user agent — also the rows
 * the request does not write itself (the grant that opens the account on the first call) — and a
 * client cannot choose its recorded IP with X-Forwarded-For unless it is a trusted proxy (none is
 * trusted by default).
 */
@QuarkusTest
class AuditContextTest {

    static final String AGENT = "audit-context-test/1.0";
    static final String SPOOFED_IP = "203.0.113.77";

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Tokens.user(user)).header("User-Agent", AGENT)
                .header("X-Forwarded-For", SPOOFED_IP);
    }

    @Test
    void everyRowOfEveryKindOfCallKeepsTheRequestsOrigin() {
        String user = Api.newUser("audited");
        as(user).get("/api/credit/balance").then().statusCode(200);
        as(user).contentType(ContentType.JSON).header("Idempotency-Key", "c-1")
                .body(chargeBody("gpt-4o-mini", 100, 50)).post("/api/credit/charges").then().statusCode(201);
        String hold = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":50}";
        String settled = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "r-1").body(hold)
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        as(user).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":5}}")
                .post("/api/credit/reservations/" + settled + "/settle").then().statusCode(200);
        String released = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "r-2").body(hold)
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
        as(user).post("/api/credit/reservations/" + released + "/release").then().statusCode(200);
        as(user).contentType(ContentType.JSON).body(Api.chatBody("gpt-4o-mini", "hello", 20, false))
                .post("/v1/chat/completions").then().statusCode(200);
        given().auth().oauth2(Tokens.admin("auditor-" + UUID.randomUUID())).header("User-Agent", AGENT)
                .contentType(ContentType.JSON).header("Idempotency-Key", "adj-1")
                .body("{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":1000,\"reason\":\"test\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201);

        List<String> rows = origins(user);
        // grant, charge, hold + settle, hold + release, chat hold + settle, adjust
        assertThat(rows).hasSize(9);
        assertThat(rows).allSatisfy(row -> {
            String[] parts = row.split(" ", 3);
            assertThat(parts[1]).isNotEqualTo("null").isNotEqualTo(SPOOFED_IP);
            assertThat(parts[2]).isEqualTo(AGENT);
        });
        assertThat(rows.get(0)).startsWith("GRANT ");
    }

    /** "OPERATION ip agent" of every audit row of the user, oldest first. */
    static List<String> origins(String user) {
        List<String> rows = new ArrayList<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT operation, client_ip, user_agent FROM credit_audit_log WHERE user_id = ? ORDER BY id")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
