package dev.tollgate.balance.events;

import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.ConfigOverrides;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Heartbeats and the end of a stream at its token's expiry, with a heartbeat of one second. */
@QuarkusTest
@TestProfile(BalanceEventsHeartbeatTest.FastHeartbeat.class)
class BalanceEventsHeartbeatTest {

    public static class FastHeartbeat extends ConfigOverrides {
        public FastHeartbeat() {
            super(Map.of("tollgate.events.heartbeat", "PT1S"));
        }
    }

    @Test
    void anIdleStreamGetsCommentLines() throws Exception {
        String user = openAccount("events-heartbeat");
        try (EventStream stream = EventStream.open(Tokens.user(user)).read()) {
            assertThat(stream.next(Duration.ofSeconds(10))).isNotNull();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (stream.comments() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(stream.comments()).isGreaterThanOrEqualTo(2);
            assertThat(stream.ended()).isFalse();
        }
    }

    @Test
    void theStreamEndsWhenItsTokenExpires() throws Exception {
        String user = openAccount("events-expiry");
        String shortLived = Tokens.userExpiringIn(user, 3);
        try (EventStream stream = EventStream.open(shortLived).read()) {
            assertThat(stream.next(Duration.ofSeconds(10))).isNotNull();
            assertThat(stream.ended()).isFalse();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!stream.ended() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(stream.ended()).as("closed after the token's expiry").isTrue();
        }
    }
}
