package dev.tollgate.charge;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every kind of bad charge request gets a 4xx problem and changes no row. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChargeBadInputTest {

    private static final String OK_USAGE = "\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":10}";
    private String user;

    /** One account for the class, opened on first use (the HTTP port is known only once Quarkus runs). */
    private String user() {
        if (user == null) {
            user = openAccount("bad-input");
        }
        return user;
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("empty object", "{}", 400),
                Arguments.of("no usage", "{\"model\":\"gpt-4o-mini\"}", 400),
                Arguments.of("no model", "{" + OK_USAGE + "}", 400),
                Arguments.of("null usage", "{\"model\":\"gpt-4o-mini\",\"usage\":null}", 400),
                Arguments.of("malformed json", "{\"model\":\"gpt-4o-mini\",", 400),
                Arguments.of("not an object", "[1,2,3]", 400),
                Arguments.of("trailing garbage", "{\"model\":\"gpt-4o-mini\"," + OK_USAGE + "} trailing", 400),
                Arguments.of("duplicate key", "{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\"," + OK_USAGE + "}", 400),
                Arguments.of("unknown field", "{\"model\":\"gpt-4o-mini\",\"userId\":\"someone-else\"," + OK_USAGE + "}", 400),
                Arguments.of("tokens as string", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":\"10\",\"outputTokens\":10}}", 400),
                Arguments.of("fractional tokens", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":1.5,\"outputTokens\":10}}", 400),
                Arguments.of("boolean tokens", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":true,\"outputTokens\":10}}", 400),
                Arguments.of("negative tokens", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":-1,\"outputTokens\":10}}", 400),
                Arguments.of("negative output", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":1,\"outputTokens\":-5}}", 400),
                Arguments.of("too many tokens", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":10000001,\"outputTokens\":10}}", 400),
                Arguments.of("beyond a long", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":99999999999999999999999,\"outputTokens\":10}}", 400),
                // PostgreSQL text cannot hold NUL or a lone surrogate: refused before anything is written.
                Arguments.of("character id with NUL", "{\"model\":\"gpt-4o-mini\",\"characterId\":\"a\\u0000b\"," + OK_USAGE + "}", 400),
                Arguments.of("conversation id with a lone surrogate", "{\"model\":\"gpt-4o-mini\",\"conversationId\":\"a\\ud800\"," + OK_USAGE + "}", 400),
                // Found by the fuzz test: the sum of the counts overflowed while validating (500).
                Arguments.of("counts whose sum is beyond a long", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":9223372036854775806,\"outputTokens\":5}}", 400),
                Arguments.of("exponent number", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":1e30,\"outputTokens\":10}}", 400),
                Arguments.of("zero tokens", "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":0,\"outputTokens\":0}}", 400),
                Arguments.of("model as number", "{\"model\":42," + OK_USAGE + "}", 400),
                Arguments.of("model with spaces", "{\"model\":\"gpt 4o; DROP TABLE credit_account\"," + OK_USAGE + "}", 400),
                Arguments.of("model too long", "{\"model\":\"" + "m".repeat(129) + "\"," + OK_USAGE + "}", 400),
                Arguments.of("character id too long", "{\"model\":\"gpt-4o-mini\",\"characterId\":\"" + "c".repeat(129) + "\"," + OK_USAGE + "}", 400),
                Arguments.of("estimated as string", "{\"model\":\"gpt-4o-mini\",\"estimated\":\"yes\"," + OK_USAGE + "}", 400),
                Arguments.of("unknown model", "{\"model\":\"not-a-model\"," + OK_USAGE + "}", 422));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aBadBodyIsAProblemAndChangesNothing(String name, String body, int status) {
        String before = LedgerProbe.snapshot(user());
        as(user()).contentType(ContentType.JSON).header("Idempotency-Key", "bad-" + name.replace(' ', '-'))
                .body(body)
                .post("/api/credit/charges")
                .then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("type", startsWith("https://tollgate.dev/problems/"));
        assertThat(LedgerProbe.snapshot(user())).isEqualTo(before);
    }

    static Stream<Arguments> badKeys() {
        return Stream.of(
                Arguments.of("too long", "k".repeat(256)),
                Arguments.of("non-ascii", "clé-1"),
                Arguments.of("with space", "a key"),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "key {0}")
    @MethodSource("badKeys")
    void aBadIdempotencyKeyIsRefused(String name, String key) {
        String before = LedgerProbe.snapshot(user());
        as(user()).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"model\":\"gpt-4o-mini\"," + OK_USAGE + "}")
                .post("/api/credit/charges")
                .then().statusCode(400).contentType("application/problem+json");
        assertThat(LedgerProbe.snapshot(user())).isEqualTo(before);
    }

    @Test
    void aChargeWithoutAnyKeyIsRefused() {
        as(user()).contentType(ContentType.JSON).body("{\"model\":\"gpt-4o-mini\"," + OK_USAGE + "}")
                .post("/api/credit/charges")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-missing"));
    }

    @Test
    void aHeaderKeyThatDiffersFromTheRequestIdIsRefused() {
        as(user()).contentType(ContentType.JSON).header("Idempotency-Key", "one")
                .body("{\"requestId\":\"two\",\"model\":\"gpt-4o-mini\"," + OK_USAGE + "}")
                .post("/api/credit/charges")
                .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/idempotency-key-mismatch"));
    }

    @Test
    void noBodyAtAllIsRefused() {
        String before = LedgerProbe.snapshot(user());
        as(user()).contentType(ContentType.JSON).header("Idempotency-Key", "no-body")
                .post("/api/credit/charges")
                .then().statusCode(400).contentType("application/problem+json");
        assertThat(LedgerProbe.snapshot(user())).isEqualTo(before);
    }

    @Test
    void anotherMediaTypeIsRefused() {
        as(user()).contentType(ContentType.TEXT).header("Idempotency-Key", "text").body("model=gpt-4o-mini")
                .post("/api/credit/charges")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void anOversizeBodyIsRefused() {
        String before = LedgerProbe.snapshot(user());
        String huge = "{\"model\":\"gpt-4o-mini\",\"characterId\":\"" + "x".repeat(1_100_000) + "\"," + OK_USAGE + "}";
        as(user()).contentType(ContentType.JSON).header("Idempotency-Key", "huge").body(huge)
                .post("/api/credit/charges")
                .then().statusCode(413).contentType("application/problem+json");
        assertThat(LedgerProbe.snapshot(user())).isEqualTo(before);
    }
}
