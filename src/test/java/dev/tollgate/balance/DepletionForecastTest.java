package dev.tollgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DepletionForecastTest {

    private static final Instant NOW = Instant.parse("2026-11-10T12:00:00Z");
    private static final Instant REFRESH = Instant.parse("2026-12-01T00:00:00Z");

    static Stream<Arguments> paces() {
        return Stream.of(
                // 70 credits in 7 days = 10 a day; 45 credits left last 4.5 days, before the refresh.
                Arguments.of("steady", 70_000L, new DepletionForecast(10_000, NOW.plus(Duration.ofHours(108)), true)),
                // 7 credits a week = 1 a day; 45 credits last 45 days, past the refresh 20.5 days away.
                Arguments.of("slow", 7_000L, new DepletionForecast(1_000, NOW.plus(Duration.ofDays(45)), false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paces")
    void aPaceRunsOutAfterAvailableOverDailyDays(String pace, long spentInAWeek, DepletionForecast expected) {
        assertThat(DepletionForecast.project(45_000, spentInAWeek, NOW, REFRESH)).isEqualTo(expected);
    }

    @Test
    void withoutNetSpendingThereIsNoDepletionDate() {
        for (long spent : new long[] { 0, -5_000, Long.MIN_VALUE }) {
            DepletionForecast forecast = DepletionForecast.project(45_000, spent, NOW, REFRESH);
            assertThat(forecast).as("net spent %d", spent).isEqualTo(new DepletionForecast(0, null, false));
        }
    }

    @Test
    void roundingIsDownForThePaceAndTheInstant() {
        // 1 millicredit a week: 0 a day shown; 1 left lasts exactly the week.
        assertThat(DepletionForecast.project(1, 1, NOW, REFRESH).dailySpendMillicredits()).isZero();
        assertThat(DepletionForecast.project(1, 1, NOW, REFRESH).depletesAt()).isEqualTo(NOW.plus(Duration.ofDays(7)));
        // 13 spent: 1 a day shown (13 / 7 rounded down); 1 left lasts 604800 / 13 = 46523.07... s -> 46523 s.
        DepletionForecast forecast = DepletionForecast.project(1, 13, NOW, REFRESH);
        assertThat(forecast.dailySpendMillicredits()).isEqualTo(1);
        assertThat(forecast.depletesAt()).isEqualTo(NOW.plusSeconds(46_523));
        // The instant is a whole second even when now is not.
        Instant fractional = NOW.plusMillis(999);
        assertThat(DepletionForecast.project(1, 13, fractional, REFRESH).depletesAt()).isEqualTo(NOW.plusSeconds(46_523));
    }

    @Test
    void nothingAvailableHasRunOutNow() {
        assertThat(DepletionForecast.project(0, 7_000, NOW, REFRESH)).isEqualTo(new DepletionForecast(1_000, NOW, true));
    }

    @Test
    void theRefreshInstantItselfIsNotBeforeTheRefresh() {
        // 1 credit a day, exactly as many credits left as days to the refresh.
        Instant refresh = NOW.plus(Duration.ofDays(20));
        assertThat(DepletionForecast.project(20_000, 7_000, NOW, refresh).beforeRefresh()).isFalse();
        assertThat(DepletionForecast.project(19_999, 7_000, NOW, refresh).beforeRefresh()).isTrue();
    }

    @Test
    void beyondTheHorizonThereIsNoDate() {
        assertThat(DepletionForecast.project(Long.MAX_VALUE, 1, NOW, REFRESH)).isEqualTo(new DepletionForecast(0, null, false));
        // The largest amounts do not overflow: a huge spend runs a huge balance out in the window.
        assertThat(DepletionForecast.project(Long.MAX_VALUE, Long.MAX_VALUE, NOW, REFRESH).depletesAt())
                .isEqualTo(NOW.plus(Duration.ofDays(7)));
    }

    @Test
    void aNegativeAvailableIsABug() {
        assertThatThrownBy(() -> DepletionForecast.project(-1, 7_000, NOW, REFRESH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theWarningMarginIsStrict() {
        // Runs out 4.5 days in, the refresh is 20.5 days in: 16 days before it.
        DepletionForecast forecast = DepletionForecast.project(45_000, 70_000, NOW, REFRESH);
        assertThat(forecast.depletesMoreThanBefore(Duration.ofDays(15), REFRESH)).isTrue();
        assertThat(forecast.depletesMoreThanBefore(Duration.ofDays(16), REFRESH)).isFalse();
        assertThat(DepletionForecast.project(45_000, 0, NOW, REFRESH).depletesMoreThanBefore(Duration.ZERO, REFRESH))
                .isFalse();
    }
}
