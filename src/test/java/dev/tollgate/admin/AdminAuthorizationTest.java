package dev.tollgate.admin;

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

import dev.tollgate.testing.BadTokens;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * Every admin endpoint refuses a missing or bad token with 401 and a user's token with 403
 * (problem details), and changes nothing: no account opened, no ledger row, no price row.
 */
@QuarkusTest
class AdminAuthorizationTest {

    /** An admin call on a target user and model that nothing else touches. */
    record Endpoint(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path.replaceAll("\\{.*", "");
        }

        String path(String target, String model) {
            return path.replace("{user}", target).replace("{model}", model);
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", AdminApi.ADJUSTMENTS, "{\"userId\":\"{user}\",\"bucket\":\"purchased\","
                    + "\"amountMillicredits\":5000,\"reason\":\"goodwill\"}"),
            new Endpoint("GET", "/api/admin/pricing", null),
            new Endpoint("PUT", "/api/admin/pricing/{model}", AdminApi.priceBody("1", "2", null)),
            new Endpoint("GET", "/api/admin/audit?userId={user}", null),
            new Endpoint("GET", "/api/admin/accounts/{user}", null));

    static Stream<Arguments> badTokens() {
        return BadTokens.withEach(ENDPOINTS);
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("badTokens")
    void aBadTokenIs401AndChangesNothing(Endpoint endpoint, String tokenName, Function<String, String> token) {
        refusedAndNothingChanged(endpoint, "target-" + UUID.randomUUID(), token.apply("admin-" + UUID.randomUUID()),
                endpoint.body(), 401)
                .header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://tollgate.dev/problems/unauthenticated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aUserTokenWithoutTheAdminRoleIs403AndChangesNothing(Endpoint endpoint) {
        refusedAndNothingChanged(endpoint, "target-" + UUID.randomUUID(), Tokens.user("user-" + UUID.randomUUID()),
                endpoint.body(), 403)
                .body("type", equalTo("https://tollgate.dev/problems/forbidden"))
                .body("status", equalTo(403));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aUserTokenIs403EvenWithABadBody(Endpoint endpoint) {
        refusedAndNothingChanged(endpoint, "target-" + UUID.randomUUID(), Tokens.user("user-" + UUID.randomUUID()),
                endpoint.body() == null ? null : "{\"unknown\":", 403);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void theUserThatATokenNamesGainsNothingFromIt(Endpoint endpoint) {
        // A user naming themselves as the target still needs the role.
        String user = "self-" + UUID.randomUUID();
        refusedAndNothingChanged(endpoint, user, Tokens.user(user), endpoint.body(), 403);
    }

    /**
     * Calls the endpoint on the target and a model of its own, expects a problem with the status, and
     * checks that nothing changed; answers the response for the checks of the caller.
     */
    private static ValidatableResponse refusedAndNothingChanged(Endpoint endpoint, String target, String bearer,
            String body, int status) {
        String model = AdminApi.newModel();
        ValidatableResponse response = call(endpoint, target, model, bearer, body).then().statusCode(status)
                .contentType("application/problem+json");
        assertNothingChanged(target, model);
        return response;
    }

    private static Response call(Endpoint endpoint, String target, String model, String bearer,
            String body) {
        RequestSpecification request = given().header("Idempotency-Key", "k-" + UUID.randomUUID());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.contentType(ContentType.JSON).body(body.replace("{user}", target));
        }
        return request.request(endpoint.method(), endpoint.path(target, model));
    }

    private static void assertNothingChanged(String target, String model) {
        assertThat(LedgerProbe.snapshot(target)).isEqualTo("no account audit=0 usage=0 holds=0");
        assertThat(AdminApi.priceRows(model)).isZero();
    }
}
