package dev.tollgate.balance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WarningLevelTest {

    // The free plan: 100,000 millicredits a month, low at 20 % (20,000), critical at 5 % (5,000).
    private static final long LOW = 20_000;
    private static final long CRITICAL = 5_000;

    @ParameterizedTest(name = "{0} available -> {1}")
    @CsvSource({
            "-1, EMPTY",
            "-9223372036854775808, EMPTY",
            "0, EMPTY",
            "1, CRITICAL",
            "4999, CRITICAL",
            "5000, CRITICAL",
            "5001, LOW",
            "19999, LOW",
            "20000, LOW",
            "20001, OK",
            "100000, OK",
            "9223372036854775807, OK",
    })
    void levelsAndTheirInclusiveThresholds(long available, WarningLevel expected) {
        assertThat(WarningLevel.of(available, LOW, CRITICAL)).isEqualTo(expected);
    }

    @Test
    void zeroThresholdsOnlyKnowEmptyAndOk() {
        assertThat(WarningLevel.of(0, 0, 0)).isEqualTo(WarningLevel.EMPTY);
        assertThat(WarningLevel.of(1, 0, 0)).isEqualTo(WarningLevel.OK);
    }

    @Test
    void criticalWinsOverLowWhenThresholdsCoincide() {
        assertThat(WarningLevel.of(10, 10, 10)).isEqualTo(WarningLevel.CRITICAL);
        assertThat(WarningLevel.of(11, 10, 10)).isEqualTo(WarningLevel.OK);
    }

    @Test
    void jsonIsTheLowerCaseName() {
        assertThat(WarningLevel.OK.json()).isEqualTo("ok");
        assertThat(WarningLevel.LOW.json()).isEqualTo("low");
        assertThat(WarningLevel.CRITICAL.json()).isEqualTo("critical");
        assertThat(WarningLevel.EMPTY.json()).isEqualTo("empty");
    }
}
