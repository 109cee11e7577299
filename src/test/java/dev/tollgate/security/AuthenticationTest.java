package dev.tollgate.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Every user endpoint refuses a missing or bad token with 401 problem details, and changes nothing. */
@QuarkusTest
class AuthenticationTest {

    record Endpoint(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/credit/balance", null),
            new Endpoint("GET", "/api/credit/usage", null),
            new Endpoint("POST", "/api/credit/pre-check",
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            new Endpoint("POST", "/api/credit/charges", Api.chargeBody("gpt-4o-mini", 10, 10)));

    static final List<Function<String, String>> BAD_TOKENS = List.of(
            user -> null,
            Tokens::expired,
            Tokens::signedByAnotherKey,
            Tokens::wrongIssuer,
            Tokens::wrongAudience,
            Tokens::unsigned,
            user -> "not-a-jwt");

    static final List<String> BAD_TOKEN_NAMES = List.of("no token", "expired", "another key", "wrong issuer",
            "wrong audience", "alg none", "garbage");

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (int i = 0; i < BAD_TOKENS.size(); i++) {
                cases.add(Arguments.of(endpoint, BAD_TOKEN_NAMES.get(i), BAD_TOKENS.get(i)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void refusedWith401AndNothingChanges(Endpoint endpoint, String tokenName, Function<String, String> token) {
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
