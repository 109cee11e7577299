package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ratio rules, the chat framing and the configuration; the tokenizers are in {@link OpenAiTokenizerTest}. */
class TokenEstimatorTest {

    /** A model with neither a tokenizer nor a family: counted by the global ratio. */
    static final String OTHER = "some-model";

    static TokenEstimator estimator(String charsPerToken, Map<String, String> families) {
        Map<String, BigDecimal> ratios = new HashMap<>();
        families.forEach((prefix, ratio) -> ratios.put(prefix, new BigDecimal(ratio)));
        return new TokenEstimator(new BigDecimal(charsPerToken), ratios);
    }

    static TokenEstimator estimator(String charsPerToken) {
        return estimator(charsPerToken, Map.of());
    }

    private static final TokenEstimator estimator = estimator("4.0", Map.of(
            "claude", "3.5", "claude-3-5-haiku", "3.2", "gemini", "4.0", "Llama", "3.8", "mistral", "3.7", "gpt", "2"));

    // The 4-characters rule, now the last resort.

    @ParameterizedTest(name = "{0} chars -> {1} tokens")
    @CsvSource({ "0, 0", "1, 1", "2, 1", "3, 1", "4, 1", "5, 2", "8, 2", "9, 3", "400, 100", "401, 101" })
    void withoutTokenizerOrFamilyCharactersAreDividedByFourRoundedUp(int chars, long tokens) {
        assertThat(estimator.textTokens(OTHER, "x".repeat(chars))).isEqualTo(tokens);
    }

    @Test
    void nullOrEmptyTextHasNoTokens() {
        assertThat(estimator.textTokens(OTHER, null)).isZero();
        assertThat(estimator.textTokens(OTHER, "")).isZero();
        assertThat(estimator.textTokens("claude-sonnet-4", "")).isZero();
    }

    @Test
    void ratioModelsCountCodePointsNotUtf16Units() {
        String fourEmoji = "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"; // 4 code points, 8 UTF-16 units
        assertThat(fourEmoji).hasSize(8);
        assertThat(estimator.textTokens(OTHER, fourEmoji)).isEqualTo(1);
        assertThat(estimator.textTokens(OTHER, fourEmoji + "\uD83D\uDE00")).isEqualTo(2);
        // A supplementary character and three BMP ones: 4 code points, 5 units.
        assertThat(estimator.textTokens(OTHER, "\uD83D\uDC4Bhé!")).isEqualTo(1);
        assertThat(estimator.textTokens(OTHER, "日本語です")).isEqualTo(2);
        // At 3.5 characters per token: 7 emoji (14 units) are 2 tokens, not ceil(14 / 3.5) = 4.
        assertThat(estimator.textTokens("claude-sonnet-4", "\uD83D\uDE00".repeat(7))).isEqualTo(2);
        assertThat(estimator.textTokens("claude-sonnet-4", "\uD83D\uDE00".repeat(8))).isEqualTo(3);
    }

    @Test
    void otherGlobalRatios() {
        assertThat(estimator("1").textTokens(OTHER, "hello")).isEqualTo(5);
        assertThat(estimator("3").textTokens(OTHER, "hello")).isEqualTo(2);
        assertThat(estimator("3").textTokens(OTHER, "hel")).isEqualTo(1);
        assertThat(estimator("2.5").textTokens(OTHER, "hello")).isEqualTo(2);
        assertThat(estimator("2.5").textTokens(OTHER, "hello!")).isEqualTo(3);
    }

    // Exact decimal ratios.

    @ParameterizedTest(name = "{0} code points at 3.5 -> {1} tokens")
    @CsvSource({ "0, 0", "1, 1", "3, 1", "4, 2", "7, 2", "8, 3", "35, 10", "36, 11", "350, 100", "351, 101",
            "700000, 200000", "700001, 200001" })
    void aRatioOfThreeAndAHalfRoundsUpExactly(long codePoints, long tokens) {
        assertThat(TokenEstimator.tokensFor(codePoints, new BigDecimal("3.5"))).isEqualTo(tokens);
        assertThat(estimator.textTokens("claude-sonnet-4", "x".repeat((int) codePoints))).isEqualTo(tokens);
    }

    @Test
    void ratiosAreDividedInDecimalNotInBinaryFloatingPoint() {
        // 123 / 4.1 = 30 exactly; in double, 123 / 4.1 = 30.000000000000004 and its ceiling would be 31.
        assertThat(TokenEstimator.tokensFor(123, new BigDecimal("4.1"))).isEqualTo(30);
        assertThat(TokenEstimator.tokensFor(124, new BigDecimal("4.1"))).isEqualTo(31);
        // 21 / 0.7 = 30 exactly; in double, 30.000000000000004.
        assertThat(TokenEstimator.tokensFor(21, new BigDecimal("0.7"))).isEqualTo(30);
        assertThat(estimator("4.1").textTokens(OTHER, "x".repeat(123))).isEqualTo(30);
        // The scale of the ratio does not matter.
        assertThat(TokenEstimator.tokensFor(7, new BigDecimal("3.50"))).isEqualTo(2);
        assertThat(TokenEstimator.tokensFor(9, new BigDecimal("4.000"))).isEqualTo(3);
    }

    // Families.

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "claude-sonnet-4, 3.5",
            "claude-opus-4-1, 3.5",
            "claude-3-5-haiku, 3.2", // the longest matching prefix wins
            "claude-3-5-haiku-20241022, 3.2",
            "claude-3-5-sonnet, 3.5",
            "anthropic/claude-sonnet-4, 3.5", // a provider prefix is ignored
            "Claude-Sonnet-4, 3.5", // names are compared in lower case
            "gemini-2.5-pro, 4.0",
            "llama-3.1-70b-instruct, 3.8", // the key was configured as Llama
            "meta-llama/Llama-3.3-70B-Instruct, 3.8",
            "mistral-large-latest, 3.7",
            "mistralai/mistral-small, 3.7",
            "deepseek-chat, 4.0", // no family: the global ratio
            "qwen3-235b, 4.0",
            "gpt-oss-120b, 2", // not counted by a tokenizer here, so the gpt family applies
    })
    void aFamilyIsChosenByTheLongestPrefixOfTheModelName(String model, String ratio) {
        assertThat(estimator.charsPerTokenFor(model)).isEqualByComparingTo(ratio);
        assertThat(estimator.isExact(model)).isFalse();
    }

    @Test
    void aModelWithATokenizerNeverUsesAFamilyRatio() {
        // The "gpt" family (2 characters per token) would make "hello world" 6 tokens; o200k says 2.
        assertThat(estimator.isExact("gpt-4o-mini")).isTrue();
        assertThat(estimator.textTokens("gpt-4o-mini", "hello world")).isEqualTo(2);
    }

    @Test
    void familiesAreOptional() {
        TokenEstimator plain = estimator("4.0");
        assertThat(plain.charsPerTokenFor("claude-sonnet-4")).isEqualByComparingTo("4");
        assertThat(plain.textTokens("claude-sonnet-4", "hello")).isEqualTo(2);
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> estimator("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> estimator("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> estimator("0.09")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> estimator("100.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenEstimator(null, Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> estimator("4", Map.of("claude", "0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("families.claude");
        assertThatThrownBy(() -> estimator("4", Map.of(" ", "3"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> estimator("4", Map.of("claude", "3", "CLAUDE", "3.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        Map<String, BigDecimal> nullRatio = new HashMap<>();
        nullRatio.put("claude", null);
        assertThatThrownBy(() -> new TokenEstimator(BigDecimal.ONE, nullRatio)).isInstanceOf(IllegalArgumentException.class);
        // The bounds themselves are allowed.
        assertThat(estimator("0.1").textTokens(OTHER, "ab")).isEqualTo(20);
        assertThat(estimator("100").textTokens(OTHER, "ab")).isEqualTo(1);
    }

    @Test
    void modelKeys() {
        assertThat(TokenEstimator.modelKey("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(TokenEstimator.modelKey(" OpenAI/GPT-4o ")).isEqualTo("gpt-4o");
        assertThat(TokenEstimator.modelKey("ft:gpt-4o-mini-2024-07-18:acme::abc")).isEqualTo("gpt-4o-mini-2024-07-18:acme::abc");
        assertThat(TokenEstimator.modelKey("a/b/llama-3")).isEqualTo("llama-3");
        assertThatThrownBy(() -> TokenEstimator.modelKey(null)).isInstanceOf(NullPointerException.class);
    }

    // The chat framing: 3 per message, 1 more per name, 3 for the reply.

    @Test
    void theFramingIsThreePerMessageAndThreeForTheReply() {
        assertThat(TokenEstimator.TOKENS_PER_MESSAGE).isEqualTo(3);
        assertThat(TokenEstimator.TOKENS_PER_NAME).isEqualTo(1);
        assertThat(TokenEstimator.REPLY_PRIMING_TOKENS).isEqualTo(3);
        for (String model : List.of(OTHER, "claude-sonnet-4", "gpt-4o", "gpt-4")) {
            assertThat(estimator.promptTokens(model, List.of())).isEqualTo(3);
            for (int n = 1; n <= 5; n++) {
                List<ChatMessage> empty = Collections.nCopies(n, new ChatMessage("", "", null));
                assertThat(estimator.promptTokens(model, empty)).as("%s, %d empty messages", model, n).isEqualTo(3L * n + 3);
                List<ChatMessage> named = new ArrayList<>(empty);
                named.set(0, new ChatMessage("", "", ""));
                assertThat(estimator.promptTokens(model, named)).as("%s, one with a name", model).isEqualTo(3L * n + 3 + 1);
            }
            assertThat(estimator.promptTokens(model, List.of(new ChatMessage(null, null, null)))).isEqualTo(6);
        }
    }

    @Test
    void roleContentAndNameAreCountedLikeText() {
        // At 4 characters per token: "user" 1, "abcd" 1, "abcde" 2, "bob" 1.
        assertThat(estimator.promptTokens(OTHER, List.of(new ChatMessage("user", "abcd", null)))).isEqualTo(3 + 1 + 1 + 3);
        assertThat(estimator.promptTokens(OTHER, List.of(new ChatMessage("user", "abcde", "bob"))))
                .isEqualTo(3 + 1 + 2 + (1 + 1) + 3);
        List<ChatMessage> conversation = List.of(
                new ChatMessage("system", "Be brief.", null),
                new ChatMessage("user", "\uD83D\uDC4B hello there", "alice"),
                new ChatMessage("assistant", "Hi!", null));
        for (String model : List.of(OTHER, "claude-sonnet-4", "mistral-large", "gpt-4o", "gpt-3.5-turbo")) {
            long expected = 3;
            for (ChatMessage message : conversation) {
                expected += 3 + estimator.textTokens(model, message.role()) + estimator.textTokens(model, message.content());
                if (message.name() != null) {
                    expected += estimator.textTokens(model, message.name()) + 1;
                }
            }
            assertThat(estimator.promptTokens(model, conversation)).as(model).isEqualTo(expected);
        }
    }

    @Test
    void messagesAreRoundedSeparately() {
        // Two one-character messages: 1 token each plus framing, not ceil(2 / 4) = 1 for both.
        assertThat(estimator.promptTokens(OTHER, List.of(new ChatMessage("", "a", null), new ChatMessage("", "b", null))))
                .isEqualTo(2 * (3 + 1) + 3);
    }

    @Test
    void thePreCheckExampleForAClaudeModel() {
        // claude 3.5: "user" 4 code points -> ceil(4/3.5) = 2, "hey" 3 -> 1; 3 + 2 + 1 + 3 = 9 (PreCheckResourceTest).
        assertThat(estimator.promptTokens("claude-sonnet-4", List.of(new ChatMessage("user", "hey", null)))).isEqualTo(9);
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> estimator.promptTokens(OTHER, (List<ChatMessage>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> estimator.promptTokens(null, List.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> estimator.textTokens(null, "x")).isInstanceOf(NullPointerException.class);
        List<ChatMessage> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> estimator.promptTokens(OTHER, withNull)).isInstanceOf(NullPointerException.class);
    }
}
