package dev.tollgate.ratelimit;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chargeBody;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.tollgate.testing.TestDatabase;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** The client IP and user agent of an audit row, as "ip agent". */
final class AuditOrigin {

    private AuditOrigin() {
    }

    /**
     * Charges as the user, through proxies that sent these X-Forwarded-For header lines, and answers
     * the origin its audit row recorded.
     */
    static String ofCharge(String userId, String idempotencyKey, String userAgent, String... forwardedFor) {
        RequestSpecification request = as(userId).header("User-Agent", userAgent);
        for (String line : forwardedFor) {
            request.header("X-Forwarded-For", line);
        }
        request.contentType(ContentType.JSON).header("Idempotency-Key", idempotencyKey)
                .body(chargeBody("gpt-4o-mini", 10, 10)).post("/api/credit/charges").then().statusCode(201);
        return of(userId, idempotencyKey);
    }

    static String of(String userId, String idempotencyKey) {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT client_ip, user_agent FROM credit_audit_log WHERE user_id = ? AND idempotency_key = ?")) {
            ps.setString(1, userId);
            ps.setString(2, idempotencyKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + " " + rs.getString(2) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
