package dev.tollgate.precheck;

import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.Api.preCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PreCheckResourceTest {

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
        preCheck(user, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .then().statusCode(200).body("maxOutputTokens", equalTo(1024));
    }

    @Test
    void aMessageTheUserCannotAffordIs402AndChangesNothing() {
        String user = openAccount("precheck");
        String before = LedgerProbe.snapshot(user);
        // claude-sonnet-4 has no tokenizer here: the claude family's 3.5 characters per token. "user" = 4 code points
        // -> ceil(4/3.5) = 2 tokens, "hey" = 3 -> ceil(3/3.5) = 1; plus 3 per message and 3 for the reply: 9 tokens.
        // The prompt is priced at the dearer of input (300) and cache write (375): it may be written to the cache.
        // 9 * 375 + 100,000 * 1,500 = 150,003,375 credits per 1M -> 150.003375 credits; x1.2 = 180.00405 credits
        // = 180,004.05 millicredits -> 180,005 millicredits (rounded up once).
        preCheck(user, "{\"model\":\"claude-sonnet-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hey\"}],\"maxOutputTokens\":100000}")
                .then().statusCode(402)
                .contentType("application/problem+json")
                .body("requiredMillicredits", equalTo(180_005))
                .body("availableMillicredits", equalTo(100_000))
                .body("upgrade", org.hamcrest.Matchers.notNullValue());
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("no messages", "{\"model\":\"gpt-4o-mini\",\"messages\":[]}", 400),
                Arguments.of("no model", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400),
                Arguments.of("zero budget", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":0}", 400),
                Arguments.of("negative budget", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":-1}", 400),
                Arguments.of("huge budget", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":1000001}", 400),
                Arguments.of("budget as string", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":\"10\"}", 400),
                Arguments.of("null message", "{\"model\":\"gpt-4o-mini\",\"messages\":[null]}", 400),
                Arguments.of("message without content", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\"}]}", 400),
                Arguments.of("messages not a list", "{\"model\":\"gpt-4o-mini\",\"messages\":\"hi\"}", 400),
                Arguments.of("malformed", "{\"model\":", 400),
                Arguments.of("unknown model", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 422));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsAProblemAndChangesNothing(String name, String body, int status) {
        String user = openAccount("precheck");
        String before = LedgerProbe.snapshot(user);
        preCheck(user, body)
                .then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }
}
