package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenEstimatorTest {

    static TokenEstimator estimator(int charsPerToken) {
        return new TokenEstimator(charsPerToken);
    }

    private final TokenEstimator estimator = estimator(4);

    @ParameterizedTest(name = "{0} chars -> {1} tokens")
    @CsvSource({ "0, 0", "1, 1", "2, 1", "3, 1", "4, 1", "5, 2", "8, 2", "9, 3", "400, 100", "401, 101" })
    void charactersDividedByFourRoundedUp(int chars, long tokens) {
        assertThat(estimator.textTokens("x".repeat(chars))).isEqualTo(tokens);
    }

    @Test
    void nullTextHasNoTokens() {
        assertThat(estimator.textTokens(null)).isZero();
    }

    @Test
    void countsCodePointsNotUtf16Units() {
        String fourEmoji = "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"; // 4 code points, 8 UTF-16 units
        assertThat(fourEmoji).hasSize(8);
        assertThat(estimator.textTokens(fourEmoji)).isEqualTo(1);
        assertThat(estimator.textTokens(fourEmoji + "\uD83D\uDE00")).isEqualTo(2);
        // A supplementary character and three BMP ones: 4 code points, 5 units.
        assertThat(estimator.textTokens("\uD83D\uDC4Bhé!")).isEqualTo(1);
        assertThat(estimator.textTokens("日本語です")).isEqualTo(2);
    }

    @Test
    void otherCharsPerToken() {
        assertThat(estimator(1).textTokens("hello")).isEqualTo(5);
        assertThat(estimator(3).textTokens("hello")).isEqualTo(2);
        assertThat(estimator(3).textTokens("hel")).isEqualTo(1);
    }

    @Test
    void eachMessageAddsFourTokensOfOverhead() {
        assertThat(TokenEstimator.TOKENS_PER_MESSAGE).isEqualTo(4);
        assertThat(estimator.promptTokens(List.of())).isZero();
        assertThat(estimator.promptTokens(List.of(""))).isEqualTo(4);
        assertThat(estimator.promptTokens(List.of("abcd"))).isEqualTo(5);
        assertThat(estimator.promptTokens(List.of("", "abcd", "abcde"))).isEqualTo(4 + 5 + 6);
        assertThat(estimator.promptTokens(Arrays.asList("abc", null))).isEqualTo(5 + 4);
    }

    @Test
    void messagesAreRoundedSeparately() {
        // Two messages of one character each: 1 token each plus overhead, not ceil(2 / 4) = 1 for both.
        assertThat(estimator.promptTokens(List.of("a", "b"))).isEqualTo(2 * (1 + 4));
    }
}
