package dev.tollgate.archival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The cutoff of a run, and a retention under a day refused as the configuration mistake it is. */
class RetentionGuardTest {

    static final Instant NOW = Instant.parse("2026-11-24T03:17:00Z");

    @Test
    void theCutoffIsNowMinusTheRetention() {
        assertThat(UsageArchival.cutoff(NOW, Duration.parse("P90D"))).isEqualTo(Instant.parse("2026-08-26T03:17:00Z"));
        assertThat(UsageArchival.cutoff(NOW, Duration.ofDays(1))).isEqualTo(Instant.parse("2026-11-23T03:17:00Z"));
    }

    @Test
    void aRetentionUnderADayIsRefused() {
        // A bare "90" in the configuration is 90 seconds: it would archive every row at once.
        assertThatThrownBy(() -> UsageArchival.cutoff(NOW, Duration.ofSeconds(90))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PT1M30S").hasMessageContaining("P90D");
        assertThatThrownBy(() -> UsageArchival.cutoff(NOW, Duration.ofDays(-90))).isInstanceOf(IllegalStateException.class);
    }
}
