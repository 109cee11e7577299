package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The payloads of the balance change announcements stay below PostgreSQL's limit. */
class BalanceChangePayloadTest {

    @Test
    void linesAreJoinedByLineBreaks() {
        assertThat(BalanceChangeNotifier.payloads(List.of("1:alice", "22:auth0|b:c"), 7_999))
                .containsExactly("1:alice\n22:auth0|b:c");
        assertThat(BalanceChangeNotifier.payloads(List.of(), 7_999)).isEmpty();
    }

    @Test
    void aBatchOfLongUserIdsIsSplitIntoPayloadsBelowTheLimitAndLosesNoLine() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add((9_000_000_000L + i) + ":" + "u".repeat(250) + i);
        }
        List<String> payloads = BalanceChangeNotifier.payloads(lines, BalanceChangeNotifier.MAX_PAYLOAD_BYTES);

        assertThat(payloads).hasSizeGreaterThan(1).allSatisfy(payload -> assertThat(
                payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(8_000));
        assertThat(payloads.stream().flatMap(payload -> List.of(payload.split("\n")).stream()).toList())
                .containsExactlyElementsOf(lines);
    }

    @Test
    void aPayloadIsFilledUpToTheLimitExactly() {
        // Two lines of 5 bytes and a separator: 11 bytes.
        assertThat(BalanceChangeNotifier.payloads(List.of("1:abc", "2:def"), 11)).containsExactly("1:abc\n2:def");
        assertThat(BalanceChangeNotifier.payloads(List.of("1:abc", "2:def"), 10)).containsExactly("1:abc", "2:def");
    }

    @Test
    void aLineThatCannotBeSentIsDroppedAndTheOthersAreSent() {
        assertThat(BalanceChangeNotifier.payloads(List.of("1:a\nb", "2:" + "x".repeat(20), "3:ok"), 10))
                .containsExactly("3:ok");
    }
}
