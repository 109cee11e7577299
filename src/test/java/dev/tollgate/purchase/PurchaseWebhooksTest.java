package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.WebhookReceiver;
import dev.tollgate.testing.WebhookReceiver.Received;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Purchases and auto top-ups publish their webhook events in the transaction of the change:
 * purchase.completed when a pack's credits are granted (once, however often Stripe reports it),
 * purchase.refunded when credits are clawed back, auto_top_up.failed per declined payment and
 * auto_top_up.disabled when the third switches it off.
 */
@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class PurchaseWebhooksTest {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    WebhookReceiver receiver;
    String endpoint;

    @BeforeAll
    static void price() {
        LedgerProbe.seedPrice(AutoTopUpTest.MODEL);
    }

    @BeforeEach
    void listen() {
        receiver = WebhookReceiver.start();
        endpoint = receiver.register("purchase.completed", "purchase.refunded", "auto_top_up.failed",
                "auto_top_up.disabled");
    }

    @AfterEach
    void stop() {
        WebhookReceiver.unregister(endpoint);
        receiver.close();
    }

    List<Received> eventsOf(String user, int expected) {
        WebhookReceiver.await(expected + " events of " + user, PATIENCE,
                () -> receiver.received().stream().filter(r -> r.userId().equals(user)).count() >= expected);
        List<Received> events = receiver.received().stream().filter(r -> r.userId().equals(user)).toList();
        assertThat(events).allSatisfy(r -> assertThat(r.verified()).isTrue());
        return events;
    }

    static long published(String user, String type) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_event WHERE user_id = ? AND type = '" + type + "'", user);
    }

    @Test
    void aPaidPurchaseIsCompletedOnceAndItsRefundReported() {
        Purchases p = Purchases.started("hook-purchase");
        p.deliver(p.paid());
        p.deliver(p.paid());
        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        p.deliver(p.refunded(Purchases.SMALL_PRICE));
        assertThat(p.purchased()).isZero();

        List<Received> events = eventsOf(p.user(), 2);
        assertThat(events).extracting(Received::type).containsExactly("purchase.completed", "purchase.refunded");
        assertThat(events.get(0).json().path("data").path("purchaseId").asText()).isEqualTo(p.purchaseId());
        assertThat(events.get(0).json().path("data").path("creditsMillicredits").asLong()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(events.get(0).json().path("data").path("origin").asText()).isEqualTo("checkout");
        assertThat(events.get(1).json().path("data").path("clawedBackMillicredits").asLong())
                .isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(published(p.user(), "purchase.completed")).as("once, though Stripe said it twice").isEqualTo(1);
        p.ledgerHolds();
    }

    @Test
    void declinedAutoTopUpsAreReportedAndTheThirdDisablesIt() {
        Purchases p = AutoTopUpTest.withSavedCard("hook-top-up", FakeStripe.DECLINED_CARD, 250);
        for (int i = 1; i <= 3; i++) {
            AutoTopUpTest.spend(p.user(), 1_000);
            AutoTopUpTest.runJob().then().statusCode(200).body("failed", equalTo(1));
        }

        List<Received> events = eventsOf(p.user(), 5);
        assertThat(events).extracting(Received::type).containsExactly("purchase.completed", "auto_top_up.failed",
                "auto_top_up.failed", "auto_top_up.failed", "auto_top_up.disabled");
        assertThat(events.get(3).json().path("data").path("consecutiveFailures").asInt()).isEqualTo(3);
        assertThat(events.get(4).json().path("data").path("reason").asText()).contains("3 payments in a row failed");
        assertThat(published(p.user(), "auto_top_up.disabled")).isEqualTo(1);
    }
}
