package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * OpenAI models are counted by their own encodings. The expected numbers are OpenAI's published
 * ones: the cookbook "How to count tokens with tiktoken" (openai/openai-cookbook,
 * examples/How_to_count_tokens_with_tiktoken.ipynb), whose outputs were produced by tiktoken and,
 * for the chat example, confirmed by the OpenAI API's {@code prompt_tokens}. "hello world" is not
 * in the cookbook: its 2 tokens ([15339, 1917] in cl100k_base, [24912, 2375] in o200k_base) were
 * computed offline with tiktoken's reference BPE algorithm on OpenAI's rank files (the files inside
 * jtokkit have the SHA-256 that tiktoken pins for them), and agree with jtokkit.
 */
class OpenAiTokenizerTest {

    static final TokenEstimator estimator = new TokenEstimator(new BigDecimal("4.0"), Map.of("gpt", new BigDecimal("1")));

    // Which encoding counts which model.

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "chatgpt-4o-latest",
            "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1",
            "o1", "o1-mini", "o1-preview-2024-09-12", "o3", "o3-mini", "o3-pro", "o4-mini", "o4-mini-2025-04-16",
            "openai/gpt-4o", "GPT-4o", "ft:gpt-4o-mini-2024-07-18:acme::abc123" })
    void o200kBaseModels(String model) {
        assertThat(estimator.encodingFor(model)).contains(EncodingType.O200K_BASE);
        assertThat(estimator.isExact(model)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "gpt-4", "gpt-4-0613", "gpt-4-0314", "gpt-4-32k", "gpt-4-turbo", "gpt-4-turbo-2024-04-09",
            "gpt-4-1106-preview", "gpt-3.5-turbo", "gpt-3.5-turbo-0125", "gpt-3.5-turbo-16k", "gpt-35-turbo",
            "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002", "ft:gpt-3.5-turbo-0125:acme::x",
            "ft:gpt-4-0613:acme::x", "openai/gpt-4-turbo" })
    void cl100kBaseModels(String model) {
        assertThat(estimator.encodingFor(model)).contains(EncodingType.CL100K_BASE);
        assertThat(estimator.isExact(model)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "claude-sonnet-4", "claude-3-5-haiku", "gemini-2.5-pro", "llama-3.1-70b", "mistral-large",
            "deepseek-chat", "gpt-oss-120b", "gpt-4x", "gpt4o", "o1x", "o", "omni-moderation-latest", "text-davinci-003",
            "davinci-002" })
    void otherModelsHaveNoTokenizer(String model) {
        assertThat(estimator.encodingFor(model)).isEmpty();
        assertThat(estimator.isExact(model)).isFalse();
    }

    // Texts: the cookbook's examples (sections 3 and 5), and "hello world".

    @ParameterizedTest(name = "{0}: \"{1}\" = {2}")
    @CsvSource(delimiter = '|', value = {
            "gpt-4  | hello world                  | 2",
            "gpt-4  | tiktoken is great!           | 6",
            "gpt-4  | antidisestablishmentarianism | 6",
            "gpt-4  | 2 + 2 = 4                    | 7",
            "gpt-4  | お誕生日おめでとう            | 9",
            "gpt-4o | hello world                  | 2",
            "gpt-4o | tiktoken is great!           | 6",
            "gpt-4o | antidisestablishmentarianism | 6",
            "gpt-4o | 2 + 2 = 4                    | 7",
            "gpt-4o | お誕生日おめでとう            | 8",
    })
    void knownCounts(String model, String text, long tokens) {
        assertThat(estimator.textTokens(model, text)).isEqualTo(tokens);
    }

    @Test
    void theEncodingsAreOpenAisOwn() {
        // The token ids the cookbook prints for "tiktoken is great!".
        var registry = Encodings.newLazyEncodingRegistry();
        assertThat(registry.getEncoding(EncodingType.CL100K_BASE).encodeOrdinary("tiktoken is great!").boxed())
                .containsExactly(83, 1609, 5963, 374, 2294, 0);
        assertThat(registry.getEncoding(EncodingType.O200K_BASE).encodeOrdinary("tiktoken is great!").boxed())
                .containsExactly(83, 8251, 2488, 382, 2212, 0);
    }

    @Test
    void emptyTextHasNoTokens() {
        assertThat(estimator.textTokens("gpt-4o", "")).isZero();
        assertThat(estimator.textTokens("gpt-4o", null)).isZero();
        assertThat(estimator.textTokens("gpt-4", "")).isZero();
    }

    @Test
    void emojiAreCountedByTheTokenizerNotByCharacters() {
        // Four U+1F600: o200k_base has one token for it, cl100k_base two (reference BPE, as above).
        String fourEmoji = "\uD83D\uDE00".repeat(4);
        assertThat(estimator.textTokens("gpt-4o", fourEmoji)).isEqualTo(4);
        assertThat(estimator.textTokens("gpt-4", fourEmoji)).isEqualTo(8);
    }

    @Test
    void textThatLooksLikeASpecialTokenIsOrdinaryText() {
        // jtokkit's countTokens would throw here; user text is never a control token. Counts from the reference BPE.
        assertThat(estimator.textTokens("gpt-4", "a <|endoftext|> b")).isEqualTo(8);
        assertThat(estimator.textTokens("gpt-4o", "a <|endoftext|> b")).isEqualTo(9);
    }

    // The cookbook's chat example (section 6): 129 prompt tokens for gpt-3.5-turbo / gpt-4-0613 / gpt-4,
    // 124 for gpt-4o / gpt-4o-mini, each the count of its num_tokens_from_messages() and of the OpenAI API.

    static final List<ChatMessage> COOKBOOK_EXAMPLE = List.of(
            new ChatMessage("system",
                    "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.", null),
            new ChatMessage("system", "New synergies will help drive top-line growth.", "example_user"),
            new ChatMessage("system", "Things working well together will increase revenue.", "example_assistant"),
            new ChatMessage("system",
                    "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
                    "example_user"),
            new ChatMessage("system", "Let's talk later when we're less busy about how to do better.", "example_assistant"),
            new ChatMessage("user",
                    "This late pivot means we don't have time to boil the ocean for the client deliverable.", null));

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({ "gpt-3.5-turbo, 129", "gpt-4-0613, 129", "gpt-4, 129", "gpt-4o, 124", "gpt-4o-mini, 124" })
    void theCookbookConversation(String model, long tokens) {
        assertThat(estimator.promptTokens(model, COOKBOOK_EXAMPLE)).isEqualTo(tokens);
    }

    @Test
    void thePreCheckExample() {
        // o200k_base: "user" 1, "hello world!" 3 ("hello", " world", "!"); 3 + 1 + 3 + 3 = 10 (PreCheckResourceTest).
        assertThat(estimator.textTokens("gpt-4o-mini", "user")).isEqualTo(1);
        assertThat(estimator.textTokens("gpt-4o-mini", "hello world!")).isEqualTo(3);
        assertThat(estimator.promptTokens("gpt-4o-mini", List.of(new ChatMessage("user", "hello world!", null)))).isEqualTo(10);
    }
}
