package dev.tollgate.charge;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.Refusals.assertRefused;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every kind of bad charge request gets a 4xx problem and changes no row. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChargeBadInputTest {

    private static final String OK_USAGE = "\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":10}";
    private static final String GOOD_BODY = "{\"model\":\"gpt-4o-mini\"," + OK_USAGE + "}";
    private String user;

    /** One account for the class, opened on first use (the HTTP port is known only once Quarkus runs). */
    private String user() {
        if (user == null) {
            user = openAccount("bad-input");
        }
        return user;
    }

    /** A charge of the model (as JSON) with a good usage. */
    private static String ofModel(String model) {
        return "{\"model\":" + model + "," + OK_USAGE + "}";
    }

    /** A charge of gpt-4o-mini with a good usage and one more member (as JSON). */
    private static String miniWith(String member) {
        return "{\"model\":\"gpt-4o-mini\"," + member + "," + OK_USAGE + "}";
    }

    /** A charge of gpt-4o-mini with these token counts (as JSON). */
    private static String usage(String uncachedInputTokens, String outputTokens) {
        return "{\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":" + uncachedInputTokens
                + ",\"outputTokens\":" + outputTokens + "}}";
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("empty object", "{}", 400),
                Arguments.of("no usage", "{\"model\":\"gpt-4o-mini\"}", 400),
                Arguments.of("no model", "{" + OK_USAGE + "}", 400),
                Arguments.of("null usage", "{\"model\":\"gpt-4o-mini\",\"usage\":null}", 400),
                Arguments.of("malformed json", "{\"model\":\"gpt-4o-mini\",", 400),
                Arguments.of("not an object", "[1,2,3]", 400),
                Arguments.of("trailing garbage", GOOD_BODY + " trailing", 400),
                Arguments.of("duplicate key", miniWith("\"model\":\"gpt-4o\""), 400),
                Arguments.of("unknown field", miniWith("\"userId\":\"someone-else\""), 400),
                Arguments.of("tokens as string", usage("\"10\"", "10"), 400),
                Arguments.of("fractional tokens", usage("1.5", "10"), 400),
                Arguments.of("boolean tokens", usage("true", "10"), 400),
                Arguments.of("negative tokens", usage("-1", "10"), 400),
                Arguments.of("negative output", usage("1", "-5"), 400),
                Arguments.of("too many tokens", usage("10000001", "10"), 400),
                Arguments.of("beyond a long", usage("99999999999999999999999", "10"), 400),
                // PostgreSQL text cannot hold NUL or a lone surrogate: refused before anything is written.
                Arguments.of("character id with NUL", miniWith("\"characterId\":\"a\\u0000b\""), 400),
                Arguments.of("conversation id with a lone surrogate", miniWith("\"conversationId\":\"a\\ud800\""), 400),
                // Found by the fuzz test: the sum of the counts overflowed while validating (500).
                Arguments.of("counts whose sum is beyond a long", usage("9223372036854775806", "5"), 400),
                Arguments.of("exponent number", usage("1e30", "10"), 400),
                Arguments.of("zero tokens", usage("0", "0"), 400),
                Arguments.of("model as number", ofModel("42"), 400),
                Arguments.of("model with spaces", ofModel("\"gpt 4o; DROP TABLE credit_account\""), 400),
                Arguments.of("model too long", ofModel("\"" + "m".repeat(129) + "\""), 400),
                Arguments.of("character id too long", miniWith("\"characterId\":\"" + "c".repeat(129) + "\""), 400),
                Arguments.of("estimated as string", miniWith("\"estimated\":\"yes\""), 400),
                Arguments.of("unknown model", ofModel("\"not-a-model\""), 422));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aBadBodyIsAProblemAndChangesNothing(String name, String body, int status) {
        assertRefused(user(), status, () -> charge(user(), "bad-" + name.replace(' ', '-'), body))
                .body("status", equalTo(status))
                .body("type", startsWith("https://tollgate.dev/problems/"));
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
        assertRefused(user(), 400, () -> charge(user(), key, GOOD_BODY));
    }

    @Test
    void aChargeWithoutAnyKeyIsRefused() {
        as(user()).contentType(ContentType.JSON).body(GOOD_BODY)
                .post("/api/credit/charges")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-missing"));
    }

    @Test
    void aHeaderKeyThatDiffersFromTheRequestIdIsRefused() {
        charge(user(), "one", "{\"requestId\":\"two\",\"model\":\"gpt-4o-mini\"," + OK_USAGE + "}")
                .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/idempotency-key-mismatch"));
    }

    @Test
    void noBodyAtAllIsRefused() {
        assertRefused(user(), 400, () -> as(user()).contentType(ContentType.JSON).header("Idempotency-Key", "no-body")
                .post("/api/credit/charges"));
    }

    @Test
    void anotherMediaTypeIsRefused() {
        as(user()).contentType(ContentType.TEXT).header("Idempotency-Key", "text").body("model=gpt-4o-mini")
                .post("/api/credit/charges")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void anOversizeBodyIsRefused() {
        String huge = miniWith("\"characterId\":\"" + "x".repeat(1_100_000) + "\"");
        assertRefused(user(), 413, () -> charge(user(), "huge", huge));
    }
}
