package dev.tollgate.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which webhook events one change of the available balance fires (low 20,000, critical 5,000). */
class ThresholdCrossingTest {

    static List<String> events(long before, long after) {
        return ThresholdCrossing.of(before, after, 20_000, 5_000).stream().map(ThresholdCrossing::eventType).toList();
    }

    @Test
    void eachThresholdFiresOnceWhenCrossedDownward() {
        assertThat(events(100_000, 20_001)).isEmpty();
        assertThat(events(20_001, 20_000)).containsExactly("balance.low");
        assertThat(events(20_000, 19_000)).isEmpty();
        assertThat(events(19_000, 5_000)).containsExactly("balance.critical");
        assertThat(events(5_000, 1)).isEmpty();
        assertThat(events(1, 0)).containsExactly("balance.depleted");
        assertThat(events(0, 0)).isEmpty();
    }

    @Test
    void oneChangeAcrossSeveralThresholdsFiresEachInOrder() {
        assertThat(events(100_000, 0)).containsExactly("balance.low", "balance.critical", "balance.depleted");
        assertThat(events(100_000, 4_000)).containsExactly("balance.low", "balance.critical");
        assertThat(events(10_000, 0)).containsExactly("balance.critical", "balance.depleted");
    }

    @Test
    void recoveredFiresWhenBackAboveLowAndReArmsTheOthers() {
        assertThat(events(0, 5_000)).isEmpty();
        assertThat(events(5_000, 20_000)).isEmpty();
        assertThat(events(20_000, 20_001)).containsExactly("balance.recovered");
        assertThat(events(0, 100_000)).containsExactly("balance.recovered");
        assertThat(events(20_001, 30_000)).isEmpty();
        // Back down after recovering: low fires again.
        assertThat(events(30_000, 19_999)).containsExactly("balance.low");
    }

    @Test
    void aPlanWithoutAllowanceHasOnlyDepletedAndRecovered() {
        assertThat(ThresholdCrossing.of(1_000, 0, 0, 0)).extracting(ThresholdCrossing::eventType)
                .containsExactly("balance.depleted");
        assertThat(ThresholdCrossing.of(0, 1_000, 0, 0)).extracting(ThresholdCrossing::eventType)
                .containsExactly("balance.recovered");
        assertThat(ThresholdCrossing.of(1_000, 500, 0, 0)).isEmpty();
    }
}
