package dev.tollgate.chat;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A hold must outlive its call: the start-up check of every upstream's longest call against the hold TTL. */
class ChatServiceStartupTest {

    @Test
    void anUpstreamWhoseCallsCanOutliveTheirHoldStopsTheStart() {
        assertThatThrownBy(() -> ChatService.requireHoldsOutliveCalls(Map.of("slow", Duration.ofMinutes(10)),
                Duration.ofMinutes(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tollgate.providers.slow.max-call-duration");
        // 41 s + the settle's 20 s of patience is more than a minute.
        assertThatThrownBy(() -> ChatService.requireHoldsOutliveCalls(Map.of("fast", Duration.ofSeconds(5),
                "slow", Duration.ofSeconds(41)), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("slow");
    }

    @Test
    void callsThatEndWithTheSettlesPatienceToSpareAreAccepted() {
        assertThatCode(() -> ChatService.requireHoldsOutliveCalls(Map.of("a", Duration.ofSeconds(40)), Duration.ofMinutes(1)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ChatService.requireHoldsOutliveCalls(Map.of("default", Duration.ofMinutes(5)),
                Duration.ofMinutes(10))).doesNotThrowAnyException();
    }
}
