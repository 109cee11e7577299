package dev.tollgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/** The outbox: what {@link WebhookOutbox#publish} writes, in the caller's transaction only. */
@QuarkusTest
class WebhookOutboxTest {

    @Inject
    WebhookOutbox outbox;

    @AfterEach
    void removeEndpoints() {
        LedgerProbe.execute("DELETE FROM webhook_endpoint WHERE description = 'outbox-test'");
    }

    static UUID endpoint(boolean enabled, String... types) {
        UUID id = UUID.randomUUID();
        LedgerProbe.execute("""
                INSERT INTO webhook_endpoint (id, url, secret, event_types, enabled, description, created_at, updated_at)
                VALUES (?, 'https://receiver.invalid/hook', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', ?::text[], ?, 'outbox-test', now(), now())""",
                id, "{" + String.join(",", types) + "}", enabled);
        return id;
    }

    static long deliveries(String eventId) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE event_id = ?", eventId);
    }

    static long events(String eventId) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_event WHERE id = ?", eventId);
    }

    @Test
    void writesTheEventAndOneDeliveryPerSubscribedEnabledEndpoint() throws Exception {
        UUID all = endpoint(true);
        UUID purchases = endpoint(true, WebhookEventTypes.PURCHASE_COMPLETED);
        UUID balance = endpoint(true, WebhookEventTypes.BALANCE_LOW);
        endpoint(false);
        String user = "outbox-" + UUID.randomUUID();

        WebhookOutbox.Published published = QuarkusTransaction.requiringNew().call(() -> outbox.publish(user,
                WebhookEventTypes.PURCHASE_COMPLETED, Map.of("purchaseId", "p-1", "creditsMillicredits", 5000L)));

        assertThat(published.eventId()).startsWith("msg_");
        assertThat(published.deliveries()).isEqualTo(2);
        assertThat(events(published.eventId())).isEqualTo(1);
        // (The sender may already be trying them: https://receiver.invalid/ never answers.)
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE event_id = ?"
                + " AND user_id = '" + user + "' AND endpoint_id IN ('" + all + "', '" + purchases + "')",
                published.eventId())).isEqualTo(2);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE event_id = ? AND endpoint_id = '"
                + balance + "'", published.eventId())).isZero();

        JsonNode body = new ObjectMapper().readTree(
                LedgerProbe.text("SELECT payload FROM webhook_event WHERE id = ?", published.eventId()));
        assertThat(body.get("type").asText()).isEqualTo("purchase.completed");
        assertThat(java.time.Instant.parse(body.get("timestamp").asText())).isNotNull();
        assertThat(body.get("data").get("userId").asText()).isEqualTo(user);
        assertThat(body.get("data").get("purchaseId").asText()).isEqualTo("p-1");
        assertThat(body.get("data").get("creditsMillicredits").asLong()).isEqualTo(5000);
        assertThat(body.fieldNames()).toIterable().containsExactly("type", "timestamp", "data");
    }

    @Test
    void writesNothingWhenNoEndpointTakesTheType() throws Exception {
        endpoint(true, WebhookEventTypes.BALANCE_LOW);
        endpoint(false, WebhookEventTypes.PURCHASE_REFUNDED);

        WebhookOutbox.Published published = QuarkusTransaction.requiringNew().call(() -> outbox.publish("outbox-none",
                WebhookEventTypes.PURCHASE_REFUNDED, Map.of()));

        assertThat(published.deliveries()).isZero();
        assertThat(events(published.eventId())).isZero();
    }

    @Test
    void aRolledBackTransactionLeavesNoEvent() {
        endpoint(true);
        String[] id = new String[1];

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            id[0] = outbox.publish("outbox-rollback", WebhookEventTypes.BALANCE_LOW, Map.of()).eventId();
            throw new IllegalStateException("the change failed after publishing");
        })).hasMessageContaining("the change failed");

        assertThat(id[0]).isNotNull();
        assertThat(events(id[0])).isZero();
        assertThat(deliveries(id[0])).isZero();
    }

    @Test
    void refusesUnknownTypesAndCallsOutsideATransaction() {
        endpoint(true);

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(
                () -> outbox.publish("outbox-unknown", "balance.exploded", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("balance.exploded");
        assertThatThrownBy(() -> outbox.publish("outbox-no-tx", WebhookEventTypes.BALANCE_LOW, Map.of()))
                .isInstanceOf(TransactionalException.class);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_event WHERE user_id IN ('outbox-unknown', ?)",
                "outbox-no-tx")).isZero();
    }
}
