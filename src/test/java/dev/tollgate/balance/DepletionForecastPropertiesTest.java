package dev.tollgate.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The forecast's rounding over the space of balances and paces, against an exact computation of its own. */
class DepletionForecastPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-11-10T12:00:00Z");
    private static final Instant REFRESH = Instant.parse("2026-12-01T00:00:00Z");

    @Property
    void theInstantIsTheExactQuotientRoundedDown(@ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long available,
            @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long spent) {
        DepletionForecast forecast = DepletionForecast.project(available, spent, NOW, REFRESH);
        BigInteger week = BigInteger.valueOf(Duration.ofDays(7).toSeconds());
        assertThat(forecast.dailySpendMillicredits()).isEqualTo(spent / 7);
        if (forecast.depletesAt() == null) {
            assertThat(BigInteger.valueOf(available).multiply(week).divide(BigInteger.valueOf(spent)))
                    .isGreaterThan(BigInteger.valueOf(DepletionForecast.HORIZON.toSeconds()));
            return;
        }
        BigInteger seconds = BigInteger.valueOf(Duration.between(NOW, forecast.depletesAt()).toSeconds());
        // seconds * spent <= available * week < (seconds + 1) * spent
        BigInteger exact = BigInteger.valueOf(available).multiply(week);
        assertThat(seconds.multiply(BigInteger.valueOf(spent))).isLessThanOrEqualTo(exact);
        assertThat(seconds.add(BigInteger.ONE).multiply(BigInteger.valueOf(spent))).isGreaterThan(exact);
    }
}
