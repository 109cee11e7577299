package dev.tollgate.platform.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MillicreditsTest {

    @ParameterizedTest(name = "{0} credits -> {1} millicredits")
    @CsvSource({
            "0, 0",
            "0.000, 0",
            "-0.000, 0",
            "0.0001, 1",
            "0.000000001, 1",
            "0.001, 1",
            "0.0010000001, 2",
            "0.0019999, 2",
            "0.002, 2",
            "1, 1000",
            "12.345, 12345",
            "12.3450000, 12345",
            "12.3450001, 12346",
            "1E+3, 1000000",
    })
    void roundUpIsCeilingToTheMillicredit(String credits, long expected) {
        assertThat(Millicredits.roundUp(new BigDecimal(credits))).isEqualTo(Millicredits.of(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = { "-0.0001", "-0.001", "-1", "-12.345" })
    void roundUpRejectsNegativeAmounts(String credits) {
        assertThatThrownBy(() -> Millicredits.roundUp(new BigDecimal(credits)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundUpRejectsAmountsBeyondALong() {
        BigDecimal tooMuch = BigDecimal.valueOf(Long.MAX_VALUE).movePointLeft(3).add(new BigDecimal("0.0001"));
        assertThatThrownBy(() -> Millicredits.roundUp(tooMuch)).isInstanceOf(ArithmeticException.class);
        assertThat(Millicredits.roundUp(BigDecimal.valueOf(Long.MAX_VALUE, 3)).value()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void roundUpOfCreditsIsTheIdentity() {
        for (long value : new long[] { 0, 1, 999, 1000, 1001, 12345, Long.MAX_VALUE }) {
            assertThat(Millicredits.roundUp(Millicredits.of(value).credits())).isEqualTo(Millicredits.of(value));
        }
    }

    @Test
    void creditsHaveScaleThree() {
        assertThat(Millicredits.of(0).credits().scale()).isEqualTo(3);
        assertThat(Millicredits.of(0).credits().toPlainString()).isEqualTo("0.000");
        assertThat(Millicredits.of(1).credits().toPlainString()).isEqualTo("0.001");
        assertThat(Millicredits.of(1000).credits().toPlainString()).isEqualTo("1.000");
        assertThat(Millicredits.of(12345).credits()).isEqualTo(new BigDecimal("12.345"));
        assertThat(Millicredits.of(-2500).credits()).isEqualTo(new BigDecimal("-2.500"));
        assertThat(Millicredits.ZERO.credits().scale()).isEqualTo(3);
    }

    @Test
    void arithmetic() {
        assertThat(Millicredits.of(5).plus(Millicredits.of(7))).isEqualTo(Millicredits.of(12));
        assertThat(Millicredits.of(5).minus(Millicredits.of(7))).isEqualTo(Millicredits.of(-2));
        assertThat(Millicredits.of(5).negate()).isEqualTo(Millicredits.of(-5));
        assertThat(Millicredits.of(1).isPositive()).isTrue();
        assertThat(Millicredits.ZERO.isPositive()).isFalse();
        assertThat(Millicredits.ZERO.isNegative()).isFalse();
        assertThat(Millicredits.of(-1).isNegative()).isTrue();
        assertThat(Millicredits.of(1)).isGreaterThan(Millicredits.ZERO);
        assertThat(Millicredits.of(-1)).isLessThan(Millicredits.ZERO);
    }

    @Test
    void plusOverflowThrows() {
        assertOverflows(() -> Millicredits.of(Long.MAX_VALUE).plus(Millicredits.of(1)));
        assertOverflows(() -> Millicredits.of(Long.MIN_VALUE).plus(Millicredits.of(-1)));
    }

    @Test
    void minusOverflowThrows() {
        assertOverflows(() -> Millicredits.of(Long.MIN_VALUE).minus(Millicredits.of(1)));
        assertOverflows(() -> Millicredits.of(Long.MAX_VALUE).minus(Millicredits.of(-1)));
        assertOverflows(() -> Millicredits.ZERO.minus(Millicredits.of(Long.MIN_VALUE)));
    }

    @Test
    void negateOverflowThrows() {
        assertOverflows(() -> Millicredits.of(Long.MIN_VALUE).negate());
    }

    private static void assertOverflows(ThrowingCallable arithmetic) {
        assertThatThrownBy(arithmetic).isInstanceOf(ArithmeticException.class);
    }
}
