package dev.tollgate.chat;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.ConcurrentCalls;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Many streams of one user at once, credits for about half: no overdraw, every hold resolved, no 5xx. */
@QuarkusTest
class ConcurrentStreamsTest {

    @Test
    void thirtyTwoStreamsOnCreditsForAboutHalf() throws Exception {
        String user = openAccount("streams");
        // A hold of 1,000 output tokens of gpt-4o is about 1.2 credits: leave credits for about 16 of them.
        charge(user, "drain", chargeBody("gpt-4o", 0, 80_500)).then().statusCode(201);

        List<HttpResponse<String>> responses = ConcurrentCalls.post(32, "/v1/chat/completions", Tokens.user(user),
                n -> "stream-" + n,
                n -> ChatCompletionTest.chat("gpt-4o", "[[fake:words=300]][[fake:chunk-delay-ms=2]]", 1000, true));

        assertThat(responses).extracting(HttpResponse::statusCode).allMatch(status -> status == 200 || status == 402);
        assertThat(responses).filteredOn(r -> r.statusCode() == 200).isNotEmpty()
                .allSatisfy(r -> assertThat(r.body()).endsWith("data: [DONE]\n\n"));
        assertThat(responses).filteredOn(r -> r.statusCode() == 402).isNotEmpty();
        ChatCompletionTest.assertLedgerAddsUp(user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status NOT IN ('SETTLED', 'RELEASED')", user))
                .isZero();
    }
}
