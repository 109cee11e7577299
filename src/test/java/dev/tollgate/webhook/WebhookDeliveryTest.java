package dev.tollgate.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import dev.tollgate.testing.WebhookReceiver;
import dev.tollgate.testing.WebhookReceiver.Received;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Delivery to a local receiver that checks every signature itself: retries keep the webhook-id
 * and the order per account, a receiver that always fails is dead-lettered and replayed, a
 * receiver that never answers neither slows charges nor gets more than the in-flight limit, and
 * the balance thresholds fire once per crossing. (Test profile: 3 attempts, 0.1 s base delay, 3 s
 * timeout, 2 in flight per endpoint.)
 */
@QuarkusTest
class WebhookDeliveryTest {

    static final String MODEL = "webhook-delivery-model";
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    WebhookOutbox outbox;

    @Inject
    WebhooksConfig config;

    final List<String> endpoints = new ArrayList<>();
    final List<WebhookReceiver> receivers = new ArrayList<>();

    @BeforeAll
    static void price() {
        // 1 millicredit per token: a charge of n input tokens spends n millicredits.
        LedgerProbe.seedPrice(MODEL);
    }

    @AfterEach
    void unregister() {
        endpoints.forEach(WebhookReceiver::unregister);
        receivers.forEach(WebhookReceiver::close);
    }

    WebhookReceiver receiver(String... types) {
        WebhookReceiver receiver = WebhookReceiver.start();
        receivers.add(receiver);
        endpoints.add(receiver.register(types));
        return receiver;
    }

    String publish(String user, String type, Map<String, Object> data) throws Exception {
        return QuarkusTransaction.requiringNew().call(() -> outbox.publish(user, type, data)).eventId();
    }

    static long deliveries(String endpoint, String status) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = CAST(? AS uuid) AND status = '"
                + status + "'", endpoint);
    }

    static long inFlight(String endpoint) {
        return LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = CAST(? AS uuid) "
                + "AND status = 'pending' AND claimed_until >= now()", endpoint);
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().auth().oauth2(Tokens.admin("webhook-admin"));
    }

    @Test
    void retriesKeepTheWebhookIdAndTheOrderOfEachAccount() throws Exception {
        WebhookReceiver receiver = receiver().failingFirst(config.maxAttempts() - 1);
        String endpoint = endpoints.get(0);
        String alice = Api.newUser("hook-alice");
        String bob = Api.newUser("hook-bob");
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            published.add(publish(alice, WebhookEventTypes.BALANCE_LOW, Map.of("seq", i)));
            published.add(publish(bob, WebhookEventTypes.BALANCE_LOW, Map.of("seq", i)));
        }

        WebhookReceiver.await("every event delivered", PATIENCE, () -> deliveries(endpoint, "delivered") == 8);

        List<Received> received = receiver.received();
        assertThat(received).allSatisfy(r -> {
            assertThat(r.verified()).as("signature of " + r.id()).isTrue();
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.id()).startsWith("msg_");
        });
        // Every event was tried maxAttempts times under one id, with the same body each time.
        Map<String, List<Received>> byId = received.stream().collect(Collectors.groupingBy(Received::id));
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(published);
        byId.forEach((id, attempts) -> {
            assertThat(attempts).as(id).hasSize(config.maxAttempts());
            assertThat(attempts.stream().map(Received::body).distinct()).as(id).hasSize(1);
        });
        // Per account: no event reached the receiver before the one before it was delivered (its last attempt).
        for (String user : List.of(alice, bob)) {
            List<Received> ofUser = received.stream().filter(r -> r.userId().equals(user)).toList();
            List<Integer> order = ofUser.stream().map(r -> r.json().path("data").path("seq").asInt()).toList();
            assertThat(order).as(user).isSorted().hasSize(4 * config.maxAttempts());
        }
    }

    @Test
    void aReceiverThatAlwaysFailsIsDeadLetteredAndAnAdminReplayDeliversIt() throws Exception {
        WebhookReceiver receiver = receiver().answering(500);
        String endpoint = endpoints.get(0);
        String id = publish(Api.newUser("hook-dead"), WebhookEventTypes.PURCHASE_COMPLETED, Map.of("purchaseId", "p-9"));

        WebhookReceiver.await("dead-lettered", PATIENCE, () -> deliveries(endpoint, "dead") == 1);
        assertThat(receiver.received()).hasSize(config.maxAttempts()).allSatisfy(r -> assertThat(r.id()).isEqualTo(id));
        long delivery = admin().get("/api/admin/webhooks/" + endpoint + "/deliveries?status=dead").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].eventId", equalTo(id))
                .body("[0].eventType", equalTo("purchase.completed"))
                .body("[0].attempts", equalTo(config.maxAttempts()))
                .body("[0].lastStatusCode", equalTo(500))
                .body("[0].lastError", equalTo("the receiver answered 500"))
                .body("[0].inFlight", equalTo(false))
                .extract().jsonPath().getLong("[0].id");
        Thread.sleep(3 * config.retryMaxDelay().toMillis());
        assertThat(receiver.received()).as("nothing more after dead").hasSize(config.maxAttempts());

        receiver.answering(204);
        String key = "replay-" + UUID.randomUUID();
        admin().header("Idempotency-Key", key).post("/api/admin/webhooks/deliveries/" + delivery + "/replay")
                .then().statusCode(200).header("Idempotent-Replayed", "false")
                .body("status", equalTo("pending")).body("attempts", equalTo(0));

        WebhookReceiver.await("replay delivered", PATIENCE, () -> deliveries(endpoint, "delivered") == 1);
        List<Received> received = receiver.received();
        assertThat(received).hasSize(config.maxAttempts() + 1).allSatisfy(r -> {
            assertThat(r.id()).isEqualTo(id);
            assertThat(r.verified()).isTrue();
        });
        // The same key again answers the first replay and sends nothing more.
        admin().header("Idempotency-Key", key).post("/api/admin/webhooks/deliveries/" + delivery + "/replay")
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("status", equalTo("pending"));
        Thread.sleep(1_000);
        assertThat(receiver.received()).hasSize(config.maxAttempts() + 1);
        admin().get("/api/admin/webhooks/" + endpoint + "/deliveries").then().statusCode(200)
                .body("[0].status", equalTo("delivered")).body("[0].lastStatusCode", equalTo(204));
    }

    @Test
    void aReceiverThatNeverAnswersHoldsNoChargeAndNoMoreThanTheInFlightLimit() throws Exception {
        WebhookReceiver receiver = receiver().hanging();
        String endpoint = endpoints.get(0);
        int limit = config.maxInFlightPerEndpoint();
        // Events of different accounts, so that only the in-flight limit holds them back.
        for (int i = 0; i < 3 * limit; i++) {
            publish(Api.newUser("hook-hang"), WebhookEventTypes.BALANCE_LOW, Map.of());
        }
        WebhookReceiver.await("the limit of deliveries in flight", PATIENCE, () -> receiver.open() == limit);
        Instant firstArrival = receiver.received().get(0).at();

        // Charges, each taking its account below the low threshold: each publishes an event in its transaction.
        int users = 8;
        List<String> charged = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            charged.add(Api.openAccount("hook-hang-charge"));
        }
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> inFlightSeen = new ConcurrentLinkedQueue<>();
        List<Callable<Void>> calls = new ArrayList<>();
        for (String user : charged) {
            calls.add(() -> {
                statuses.add(Api.charge(user, "hang-" + UUID.randomUUID(), Api.chargeBody(MODEL, 85_000, 0)).statusCode());
                inFlightSeen.add(inFlight(endpoint));
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(users);
        try {
            for (Future<Void> call : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).hasSize(users).containsOnly(201);
        assertThat(inFlightSeen).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
        for (String user : charged) {
            assertThat(LedgerProbe.count("SELECT COUNT(*) FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id "
                    + "WHERE d.user_id = ? AND e.type = 'balance.low' AND d.endpoint_id = '" + endpoint + "'", user))
                    .as("the charge's event is in the outbox").isEqualTo(1);
        }
        assertThat(deliveries(endpoint, "delivered")).as("nothing answered while hanging").isZero();
        assertThat(inFlight(endpoint)).isLessThanOrEqualTo(limit);
        // Before the first attempt could time out, the receiver saw only the limit's worth.
        Instant beforeTimeout = firstArrival.plus(config.timeout()).minusMillis(500);
        assertThat(receiver.received().stream().filter(r -> r.at().isBefore(beforeTimeout)).count()).isEqualTo(limit);

        receiver.answering(204).release();
        WebhookReceiver.await("everything delivered once the receiver answers", Duration.ofSeconds(60),
                () -> deliveries(endpoint, "delivered") == 3L * limit + users);
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.verified()).isTrue());
    }

    @Test
    void balanceThresholdsFireOncePerCrossingAndReArm() throws Exception {
        WebhookReceiver receiver = receiver(WebhookEventTypes.BALANCE_LOW, WebhookEventTypes.BALANCE_CRITICAL,
                WebhookEventTypes.BALANCE_DEPLETED, WebhookEventTypes.BALANCE_RECOVERED);
        String user = Api.openAccount("hook-levels");
        // Free plan: 100,000 a month; low at 20,000, critical at 5,000.
        for (long spend : new long[] { 79_000, 1_000, 1_000, 14_000, 5_000 }) {
            Api.charge(user, "spend-" + UUID.randomUUID(), Api.chargeBody(MODEL, spend, 0)).then().statusCode(201);
        }
        assertThat(LedgerProbe.buckets(user)).containsExactly(0, 0, 0);
        given().auth().oauth2(Tokens.admin("webhook-levels-admin")).contentType(ContentType.JSON)
                .header("Idempotency-Key", "top-" + UUID.randomUUID())
                .body("{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":30000,\"reason\":\"goodwill\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201);
        Api.charge(user, "spend-" + UUID.randomUUID(), Api.chargeBody(MODEL, 11_000, 0)).then().statusCode(201);

        List<String> expected = List.of("balance.low", "balance.critical", "balance.depleted", "balance.recovered",
                "balance.low");
        WebhookReceiver.await("the crossings delivered", PATIENCE, () -> receiver.received().size() >= expected.size());
        List<Received> received = receiver.received();
        assertThat(received).extracting(Received::type).containsExactlyElementsOf(expected);
        assertThat(received).allSatisfy(r -> {
            assertThat(r.verified()).isTrue();
            assertThat(r.userId()).isEqualTo(user);
        });
        Map<String, Long> availableAfter = new LinkedHashMap<>();
        received.forEach(r -> availableAfter.put(r.type() + "#" + availableAfter.size(),
                r.json().path("data").path("availableMillicredits").asLong()));
        assertThat(availableAfter.values()).containsExactly(20_000L, 5_000L, 0L, 30_000L, 19_000L);
        assertThat(received.get(0).json().path("data").path("thresholdMillicredits").asLong()).isEqualTo(20_000);
        assertThat(received.get(0).json().path("data").path("previousAvailableMillicredits").asLong()).isEqualTo(21_000);
        assertThat(received.get(0).json().path("data").path("plan").asText()).isEqualTo("free");
    }
}
