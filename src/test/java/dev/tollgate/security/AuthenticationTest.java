package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.BadTokens;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Every user endpoint refuses a missing or bad token with 401 problem details, and changes nothing. */
@QuarkusTest
class AuthenticationTest {

    static final List<Call> ENDPOINTS = List.of(
            new Call("GET", "/api/credit/balance", null),
            new Call("GET", "/api/credit/usage", null),
            new Call("POST", "/api/credit/pre-check",
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            new Call("POST", "/api/credit/charges", Api.chargeBody("gpt-4o-mini", 10, 10)));

    static Stream<Arguments> cases() {
        return BadTokens.withEach(ENDPOINTS);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void refusedWith401AndNothingChanges(Call endpoint, String tokenName, Function<String, String> token) {
        String user = "intruder-" + UUID.randomUUID();
        RequestSpecification request = given().header("Idempotency-Key", "k-" + UUID.randomUUID());
        String bearer = token.apply(user);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (endpoint.body() != null) {
            request.contentType(ContentType.JSON).body(endpoint.body());
        }
        request.request(endpoint.method(), endpoint.path())
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://tollgate.dev/problems/unauthenticated"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo("no account audit=0 usage=0 holds=0");
    }
}
