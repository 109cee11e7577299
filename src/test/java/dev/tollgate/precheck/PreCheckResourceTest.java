package dev.tollgate.precheck;

import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.Api.preCheck;
import static dev.tollgate.testing.Refusals.assertRefused;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PreCheckResourceTest {

    private static final String HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    /** A pre-check of gpt-4o-mini with these messages and, unless null, this output budget (both as JSON). */
    private static String ofMini(String messages, String maxOutputTokens) {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":" + messages
                + (maxOutputTokens == null ? "" : ",\"maxOutputTokens\":" + maxOutputTokens) + "}";
    }

    @Test
    void estimatesPromptAndOutputBudgetPlusTheBufferRoundedUpOnce() {
        String user = openAccount("precheck");
        // gpt-4o-mini is counted by o200k_base (jtokkit): "hello world!" = 3 tokens ("hello", " world", "!"), the role
        // "user" = 1; plus 3 per message and 3 for the reply: 3 + 1 + 3 + 3 = 10 tokens. Output budget 1,000.
        // Priced at 15 input, 60 output credits per 1M: 10*15 + 1000*60 = 60,150 credits per 1M -> 0.06015 credits;
        // x1.2 = 0.07218 credits = 72.18 millicredits -> 73 millicredits (rounded up once).
        preCheck(user, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world!\"}],\"maxOutputTokens\":1000}")
                .then().statusCode(200)
                .body("estimatedInputTokens", equalTo(10))
                .body("maxOutputTokens", equalTo(1000))
                .body("estimatedMillicredits", equalTo(73))
                .body("estimatedCredits", equalTo(0.073f))
                .body("availableMillicredits", equalTo(100_000));
    }

    @Test
    void withoutAnOutputBudgetTheConfiguredDefaultIsAssumed() {
        String user = openAccount("precheck");
        preCheck(user, ofMini(HI, null))
                .then().statusCode(200).body("maxOutputTokens", equalTo(1024));
    }

    @Test
    void aMessageTheUserCannotAffordIs402AndChangesNothing() {
        String user = openAccount("precheck");
        // claude-sonnet-4 has no tokenizer here: the claude family's 3.5 characters per token. "user" = 4 code points
        // -> ceil(4/3.5) = 2 tokens, "hey" = 3 -> ceil(3/3.5) = 1; plus 3 per message and 3 for the reply: 9 tokens.
        // The prompt is priced at the dearer of input (300) and cache write (375): it may be written to the cache.
        // 9 * 375 + 100,000 * 1,500 = 150,003,375 credits per 1M -> 150.003375 credits; x1.2 = 180.00405 credits
        // = 180,004.05 millicredits -> 180,005 millicredits (rounded up once).
        assertRefused(user, 402, () -> preCheck(user,
                "{\"model\":\"claude-sonnet-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hey\"}],\"maxOutputTokens\":100000}"))
                .body("requiredMillicredits", equalTo(180_005))
                .body("availableMillicredits", equalTo(100_000))
                .body("upgrade", org.hamcrest.Matchers.notNullValue());
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("no messages", ofMini("[]", null), 400),
                Arguments.of("no model", "{\"messages\":" + HI + "}", 400),
                Arguments.of("zero budget", ofMini(HI, "0"), 400),
                Arguments.of("negative budget", ofMini(HI, "-1"), 400),
                Arguments.of("huge budget", ofMini(HI, "1000001"), 400),
                Arguments.of("budget as string", ofMini(HI, "\"10\""), 400),
                Arguments.of("null message", ofMini("[null]", null), 400),
                Arguments.of("message without content", ofMini("[{\"role\":\"user\"}]", null), 400),
                Arguments.of("messages not a list", ofMini("\"hi\"", null), 400),
                Arguments.of("malformed", "{\"model\":", 400),
                Arguments.of("unknown model", "{\"model\":\"nope\",\"messages\":" + HI + "}", 422));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsAProblemAndChangesNothing(String name, String body, int status) {
        String user = openAccount("precheck");
        assertRefused(user, status, () -> preCheck(user, body)).body("status", equalTo(status));
    }
}
