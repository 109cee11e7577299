package dev.tollgate.precheck;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class PreCheckResourceTest {

    @Test
    void estimatesPromptAndOutputBudgetPlusTheBufferRoundedUpOnce() {
        String user = openAccount("precheck");
        // "hello world!" = 12 chars = 3 tokens, + 4 per message = 7 tokens; output budget 1,000.
        // gpt-4o-mini: 7*15 + 1000*60 = 60,105 credits per 1M -> 0.060105 credits; x1.2 = 0.072126 -> 73 millicredits.
        as(user).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world!\"}],\"maxOutputTokens\":1000}")
                .post("/api/credit/pre-check")
                .then().statusCode(200)
                .body("estimatedInputTokens", equalTo(7))
                .body("maxOutputTokens", equalTo(1000))
                .body("estimatedMillicredits", equalTo(73))
                .body("estimatedCredits", equalTo(0.073f))
                .body("availableMillicredits", equalTo(100_000));
    }

    @Test
    void withoutAnOutputBudgetTheConfiguredDefaultIsAssumed() {
        String user = openAccount("precheck");
        as(user).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/api/credit/pre-check")
                .then().statusCode(200).body("maxOutputTokens", equalTo(1024));
    }

    @Test
    void aMessageTheUserCannotAffordIs402AndChangesNothing() {
        String user = openAccount("precheck");
        String before = LedgerProbe.snapshot(user);
        // claude-sonnet-4: 100,000 output tokens at 1,500 credits/M = 150 credits; 5 prompt tokens at 300/M;
        // (150 + 0.0015) * 1.2 = 180.0018 credits -> 180,002 millicredits (rounded up).
        as(user).contentType(ContentType.JSON)
                .body("{\"model\":\"claude-sonnet-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hey\"}],\"maxOutputTokens\":100000}")
                .post("/api/credit/pre-check")
                .then().statusCode(402)
                .contentType("application/problem+json")
                .body("requiredMillicredits", equalTo(180_002))
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
        as(user).contentType(ContentType.JSON).body(body).post("/api/credit/pre-check")
                .then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }
}
