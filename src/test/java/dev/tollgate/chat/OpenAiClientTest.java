package dev.tollgate.chat;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.FunctionDefinition;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** The official OpenAI Java client, pointed at Tollgate with the user's token as its API key, works unmodified. */
@QuarkusTest
class OpenAiClientTest {

    private static OpenAIClient clientFor(String user) {
        return OpenAIOkHttpClient.builder()
                .apiKey(Tokens.user(user))
                .baseUrl(RestAssured.baseURI + ":" + RestAssured.port + "/v1")
                .maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams params(String content) {
        return ChatCompletionCreateParams.builder()
                .model("gpt-4o")
                .addUserMessage(content)
                .maxCompletionTokens(100L)
                .build();
    }

    @Test
    void completesAndIsCharged() {
        String user = openAccount("openai-client");
        ChatCompletion completion = clientFor(user).chat().completions()
                .create(params("Hello [[fake:words=10]][[fake:prompt-tokens=20]]"));
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).isPresent();
        assertThat(completion.usage()).isPresent();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
    }

    @Test
    void streamsAndIsCharged() {
        String user = openAccount("openai-client");
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = clientFor(user).chat().completions()
                .createStreaming(params("Hello [[fake:words=10]][[fake:prompt-tokens=20]]"))) {
            chunks = stream.stream().collect(Collectors.toList());
        }
        assertThat(chunks).isNotEmpty();
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining())).isNotBlank();
        assertThat(chunks.stream().anyMatch(c -> c.usage().isPresent())).isTrue();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
    }

    @Test
    void aToolCallAssembledFromTheUpstreamsStreamIsTheCompletionTheClientExpects() {
        String user = openAccount("openai-client");
        ChatCompletion completion = clientFor(user).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o")
                .addUserMessage("Save it [[fake:tool-call=save_note]][[fake:words=4]]")
                .addTool(ChatCompletionFunctionTool.builder()
                        .function(FunctionDefinition.builder().name("save_note").description("Saves a note").build())
                        .build())
                .maxCompletionTokens(100L)
                .build());
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageToolCall> calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("save_note");
        assertThat(new io.vertx.core.json.JsonObject(calls.get(0).asFunction().function().arguments()).getString("w"))
                .isEqualTo("w1 w2 w3 w4");
        assertThat(completion.usage()).isPresent();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void insufficientCreditsReachTheClientAsAnApiErrorWithStatus402() {
        String user = openAccount("openai-client");
        charge(user, "drain", chargeBody("gpt-4o", 0, 100_000)).then().statusCode(201);
        assertThatThrownBy(() -> clientFor(user).chat().completions().create(params("Hello")))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(402));
    }
}
