package dev.tollgate.balance.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LedgerNotificationTest {

    @Test
    void readsTheEntryIdAndTheUserIdWhichMayContainColons() {
        assertThat(LedgerNotification.parse("42:alice")).containsExactly(new LedgerNotification(42, "alice"));
        assertThat(LedgerNotification.parse("7:auth0|a:b")).containsExactly(new LedgerNotification(7, "auth0|a:b"));
    }

    @Test
    void readsOneChangePerLine() {
        assertThat(LedgerNotification.parse("42:alice\n43:bob\n7:auth0|a:b")).containsExactly(
                new LedgerNotification(42, "alice"), new LedgerNotification(43, "bob"),
                new LedgerNotification(7, "auth0|a:b"));
    }

    @Test
    void ignoresLinesOfAnotherShape() {
        assertThat(LedgerNotification.parse(null)).isEmpty();
        assertThat(LedgerNotification.parse("")).isEmpty();
        assertThat(LedgerNotification.parse("alice")).isEmpty();
        assertThat(LedgerNotification.parse(":alice")).isEmpty();
        assertThat(LedgerNotification.parse("42:")).isEmpty();
        assertThat(LedgerNotification.parse("x:alice")).isEmpty();
        assertThat(LedgerNotification.parse("x:alice\n\n5:bob\n42:")).containsExactly(new LedgerNotification(5, "bob"));
    }

    @Test
    void theReconnectDelayDoublesUpToItsBound() {
        Duration max = Duration.ofSeconds(30);
        assertThat(BalanceChangeListener.reconnectDelay(1, max)).isEqualTo(Duration.ofMillis(500));
        assertThat(BalanceChangeListener.reconnectDelay(2, max)).isEqualTo(Duration.ofSeconds(1));
        assertThat(BalanceChangeListener.reconnectDelay(4, max)).isEqualTo(Duration.ofSeconds(4));
        assertThat(BalanceChangeListener.reconnectDelay(7, max)).isEqualTo(max);
        assertThat(BalanceChangeListener.reconnectDelay(1_000, max)).isEqualTo(max);
    }
}
