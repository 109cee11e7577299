package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BalancesTest {

    @Test
    void availableIsMonthlyPlusPurchasedMinusReserved() {
        assertThat(new Balances(100_000, 5_000, 30_000).available()).isEqualTo(75_000);
        assertThat(new Balances(0, 0, 0).available()).isZero();
        assertThat(new Balances(0, 7, 0).available()).isEqualTo(7);
    }

    @Test
    void grantedCreditsAreAvailable() {
        assertThat(new Balances(100_000, 20_000, 5_000, 30_000).available()).isEqualTo(95_000);
        assertThat(new Balances(0, 7, 0, 7).available()).isZero();
        assertThatThrownBy(() -> new Balances(0, -1, 5, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Balances(1, 1, 1, 4)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Balances(Long.MAX_VALUE, 1, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(new Balances(Long.MAX_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE).available()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void everythingReservedIsAllowed() {
        assertThat(new Balances(10, 5, 15).available()).isZero();
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @CsvSource({ "-1, 0, 0", "0, -1, 0", "0, 0, -1", "-1, 1, 0", "1, -1, 0", "10, 10, -5",
            "-9223372036854775808, 0, 0" })
    void aNegativeBucketIsRejected(long monthly, long purchased, long reserved) {
        assertThatThrownBy(() -> new Balances(monthly, purchased, reserved)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @CsvSource({ "0, 0, 1", "10, 5, 16", "1, 1, 3", "0, 0, 9223372036854775807" })
    void reservingMoreThanThereIsIsRejected(long monthly, long purchased, long reserved) {
        assertThatThrownBy(() -> new Balances(monthly, purchased, reserved)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(monthly + "/0/" + purchased + "/" + reserved);
    }

    @Test
    void largeBucketsAreExact() {
        // The intermediate sum wraps around a long, the result does not.
        assertThat(new Balances(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE).available()).isEqualTo(Long.MAX_VALUE);
        assertThat(new Balances(Long.MAX_VALUE, 0, 0).available()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anAvailableAmountBeyondALongIsRejectedNotWrapped() {
        assertThatThrownBy(() -> new Balances(Long.MAX_VALUE, 1, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Balances(Long.MAX_VALUE, Long.MAX_VALUE, 0)).isInstanceOf(IllegalStateException.class);
    }
}
