package dev.tollgate.balance.events;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An announcement of a ledger entry can arrive after a later change of the same account (the
 * notifier batches; another instance may be slower). The balance pushed then is the newer one,
 * and its event id must name the entry that balance reflects, not the announced older one.
 */
@QuarkusTest
class LateAnnouncementTest {

    @Inject
    BalanceStreams streams;

    @Test
    void aLateAnnouncementOfAnOlderEntryIsLabelledWithTheEntryTheBalanceReflects() throws Exception {
        String user = openAccount("events-late");
        try (EventStream stream = EventStream.open(Tokens.user(user)).read()) {
            assertThat(stream.next(BalanceEventsTest.WAIT)).as("snapshot").isNotNull();
            long opening = BalanceEventsTest.latestEntry(user);

            charge(user, "late-1", chargeBody("gpt-4o-mini", 1000, 500)).then().statusCode(201);
            long charged = BalanceEventsTest.latestEntry(user);
            assertThat(charged).isGreaterThan(opening);
            // The account opening announced only now, within the notifier's batching window of the charge.
            streams.changed(List.of(new LedgerNotification(opening, user)));

            EventStream.Event event = stream.awaitAvailable(100_000 - BalanceEventsTest.COST, BalanceEventsTest.WAIT);
            assertThat(event).as("the balance after the charge").isNotNull();
            assertThat(event.id()).isEqualTo(Long.toString(charged));
        }
    }
}
