package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.core.json.JsonObject;

import dev.tollgate.pricing.Usage;
import dev.tollgate.testing.FakeProvider;
import dev.tollgate.testing.TollgateTestResources;

/** The provider client against the fake upstream, over real HTTP. */
@QuarkusTest
class ProviderClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String MODEL = "gpt-4o-mini";

    @Inject
    ProviderClient client;

    @Inject
    CircuitBreakerMaintenance circuitBreakers;

    FakeProvider fake;

    @BeforeEach
    void resetFakeAndCircuit() {
        fake = FakeProvider.instance();
        fake.reset();
        // Every test starts on a closed, empty circuit. Reset only once no call of the circuit's upstream
        // is in flight or still open on the fake: the outcome of a call that ends after the reset (a slow
        // failure or cancellation of an earlier test) would otherwise count in this test's window.
        waitUntil(() -> client.inFlight("fake-circuit") == 0, Duration.ofSeconds(5));
        // Open exchanges of other test classes (the fake is shared) are no reason to fail here: bounded, not asserted.
        awaitAtMost(() -> fake.openExchanges() == 0, Duration.ofSeconds(3));
        circuitBreakers.reset(ProviderClient.circuitBreakerName("fake-circuit"));
    }

    @AfterEach
    void everyPermitIsGivenBack() {
        waitUntil(() -> client.inFlight("fake") == 0 && client.inFlight("fake-narrow") == 0
                && client.inFlight("fake-circuit") == 0 && client.inFlight("fake-down") == 0, Duration.ofSeconds(3));
    }

    private static JsonObject chat(String message) {
        return FakeProvider.chatRequest(MODEL, message);
    }

    /** The events of a call that is answered in full. */
    private List<String> eventsOf(String model, JsonObject body) {
        return client.stream(model, body).onItem().transformToMulti(ProviderStream::events).collect().asList().await()
                .atMost(WAIT);
    }

    /** The state of the circuit of the upstream {@code fake-circuit}. */
    private CircuitBreakerState circuitState() {
        return circuitBreakers.currentState(ProviderClient.circuitBreakerName("fake-circuit"));
    }

    private static Throwable failureOf(io.smallrye.mutiny.Uni<?> uni) {
        return catchThrowable(() -> uni.await().atMost(WAIT));
    }

    /** The failure of a call of {@code model} with the message. */
    private Throwable failureOf(String model, String message) {
        return failureOf(client.stream(model, FakeProvider.chatRequest(model, message)));
    }

    /** Calls the upstream {@code fake-circuit} {@code calls} times with the message: each call must fail so. */
    private void assertEveryCallFails(int calls, String message, Class<? extends Throwable> failure) {
        for (int i = 0; i < calls; i++) {
            assertThat(failureOf(TollgateTestResources.CIRCUIT_TEST_MODEL, message)).isInstanceOf(failure);
        }
    }

    @Test
    void streamsEveryChunkAndTheUsageChunkButNotDone() {
        JsonObject body = chat("Hi [[fake:words=4]] [[fake:cached=5]] [[fake:reasoning=2]]")
                .put("temperature", 0.2)
                .put("stream_options", new JsonObject().put("include_obfuscation", false));

        ProviderStream stream = client.stream(MODEL, body).await().atMost(WAIT);
        List<String> events = stream.events().collect().asList().await().atMost(WAIT);

        assertThat(events).hasSize(4 + 1 + 1).noneMatch(e -> e.contains("[DONE]"));
        StringBuilder text = new StringBuilder();
        events.stream().map(JsonObject::new).filter(c -> !c.getJsonArray("choices").isEmpty())
                .map(c -> c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"))
                .filter(content -> content != null).forEach(text::append);
        assertThat(text).hasToString("w1 w2 w3 w4");
        JsonObject last = new JsonObject(events.get(events.size() - 1));
        assertThat(last.getJsonArray("choices")).isEmpty();
        assertThat(UsageNormalizer.fromResponse(last)).contains(new Usage(15, 5, 0, 4, 2));

        JsonObject sent = fake.lastRequest();
        assertThat(sent.getBoolean("stream")).isTrue();
        assertThat(sent.getJsonObject("stream_options"))
                .isEqualTo(new JsonObject().put("include_obfuscation", false).put("include_usage", true));
        assertThat(sent.getDouble("temperature")).isEqualTo(0.2);
        assertThat(sent.getJsonArray("messages")).isEqualTo(body.getJsonArray("messages"));
        assertThat(sent.getString("model")).isEqualTo(MODEL);
        assertThat(fake.authorizations()).containsExactly("Bearer " + FakeProvider.API_KEY);
    }

    @Test
    void includeUsageIsForcedEvenWhenTheCallerTurnedItOff() {
        eventsOf(MODEL, chat("x").put("stream", false).put("stream_options", new JsonObject().put("include_usage", false)));
        assertThat(fake.lastRequest().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        assertThat(fake.lastRequest().getBoolean("stream")).isTrue();
    }

    @Test
    void anUpstream500Is502() {
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:fail=500]]")));
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        ProviderFailure providerFailure = (ProviderFailure) failure;
        assertThat(providerFailure.reason()).isEqualTo(ProviderFailure.Reason.ERROR_STATUS);
        assertThat(providerFailure.upstreamStatus()).isEqualTo(500);
        assertThat(providerFailure.problem().status()).isEqualTo(502);
        assertThat(providerFailure.problem().members()).containsEntry("type", "https://tollgate.dev/problems/provider-error");
        assertThat(String.valueOf(providerFailure.problem().members())).doesNotContain("127.0.0.1", "server had an error");

        Throwable streamFailure = failureOf(client.stream(MODEL, chat("[[fake:fail=503]]")));
        assertThat(streamFailure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) streamFailure).upstreamStatus()).isEqualTo(503);
    }

    @Test
    void anUpstream400IsRelayedWithoutTheKey() {
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:fail=400]]")));
        assertThat(failure).isInstanceOf(ProviderRequestRejectedException.class);
        var problem = ((ProviderRequestRejectedException) failure).problem();
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.members()).containsEntry("type", "https://tollgate.dev/problems/provider-rejected-request")
                .containsEntry("param", "tollgate_fake");
        assertThat((String) problem.members().get("detail")).contains("Unrecognized request argument supplied: tollgate_fake")
                .doesNotContain(FakeProvider.API_KEY);
    }

    @Test
    void aRefusedKeyIs502AndNeverShown() {
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:fail=401]]")));
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) failure).reason()).isEqualTo(ProviderFailure.Reason.CREDENTIALS_REFUSED);
        assertThat(failure.getMessage()).doesNotContain(FakeProvider.API_KEY);
        assertThat(String.valueOf(((ProviderFailure) failure).problem().members())).doesNotContain(FakeProvider.API_KEY);
    }

    @Test
    void anUpstream429IsBusyWithItsRetryAfter() {
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:fail=429]]")));
        assertThat(failure).isInstanceOf(ProviderUnavailableException.class);
        ProviderUnavailableException busy = (ProviderUnavailableException) failure;
        assertThat(busy.circuitOpen()).isFalse();
        assertThat(busy.retryAfterSeconds()).isEqualTo(7);
        assertThat(busy.problem().members()).containsEntry("type", "https://tollgate.dev/problems/provider-busy");
    }

    @Test
    void aStalledUpstreamIs504AfterTheFirstByteTimeout() {
        long start = System.nanoTime();
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:stall]]")));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        ProviderFailure timeout = (ProviderFailure) failure;
        assertThat(timeout.reason()).isEqualTo(ProviderFailure.Reason.FIRST_BYTE_TIMEOUT);
        assertThat(timeout.problem().status()).isEqualTo(504);
        assertThat(timeout.problem().members()).containsEntry("type", "https://tollgate.dev/problems/provider-timeout");
        assertThat(elapsedMillis).isBetween(1_900L, 4_000L);
        // The stalled request was reset, not left open on the upstream.
        waitUntil(() -> fake.openExchanges() == 0, Duration.ofSeconds(2));
    }

    @Test
    void aStreamThatNeverStartsIs504() {
        Throwable failure = failureOf(client.stream(MODEL, chat("[[fake:stall]]")));
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) failure).reason()).isEqualTo(ProviderFailure.Reason.FIRST_BYTE_TIMEOUT);
    }

    @Test
    void aDroppedStreamFailsAfterWhatItDelivered() {
        List<String> received = new CopyOnWriteArrayList<>();
        ProviderStream stream = client.stream(MODEL, chat("[[fake:words=10]] [[fake:drop-after=2]]")).await().atMost(WAIT);
        Throwable failure = failureOf(stream.events().onItem().invoke(received::add).collect().asList());
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) failure).reason()).isEqualTo(ProviderFailure.Reason.INTERRUPTED);
        assertThat(received).hasSize(2);
    }

    @Test
    void aStreamThatGoesSilentFailsAfterTheIdleTimeout() {
        List<String> received = new CopyOnWriteArrayList<>();
        ProviderStream stream = client.stream(MODEL, chat("[[fake:words=10]] [[fake:stall-after=2]]")).await().atMost(WAIT);
        long start = System.nanoTime();
        Throwable failure = failureOf(stream.events().onItem().invoke(received::add).collect().asList());
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) failure).reason()).isEqualTo(ProviderFailure.Reason.IDLE_TIMEOUT);
        assertThat(((ProviderFailure) failure).problem().status()).isEqualTo(504);
        assertThat(received).hasSize(2);
        // The idle timeout is 2 s; the upper bound leaves room for a loaded CI machine.
        assertThat(elapsedMillis).isBetween(1_900L, 6_000L);
        waitUntil(() -> fake.streamsClosedByClient() == 1, Duration.ofSeconds(10));
    }

    @Test
    void cancellingTheEventsClosesTheUpstreamRequest() {
        // 200 chunks 20 ms apart: four seconds of stream if nobody stops it.
        ProviderStream stream = client.stream(MODEL, chat("[[fake:words=200]] [[fake:chunk-delay-ms=20]]"))
                .await().atMost(WAIT);
        long start = System.nanoTime();
        List<String> firstThree = stream.events().select().first(3).collect().asList().await().atMost(WAIT);

        assertThat(firstThree).hasSize(3);
        // Well before the four seconds the stream lasts when nobody stops it (room for a loaded machine).
        waitUntil(() -> fake.streamsClosedByClient() == 1, Duration.ofSeconds(3));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_500L);
        assertThat(client.inFlight("fake")).isZero();
    }

    @Test
    void aStreamNobodyReadsIsClosed() {
        ProviderStream stream = client.stream(MODEL, chat("[[fake:words=3]] [[fake:stall-after=1]]")).await().atMost(WAIT);
        assertThat(client.inFlight("fake")).isEqualTo(1);
        waitUntil(() -> client.inFlight("fake") == 0, Duration.ofSeconds(4));
        Throwable late = failureOf(stream.events().collect().asList());
        assertThat(late).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theEventsCanBeReadOnce() {
        ProviderStream stream = client.stream(MODEL, chat("[[fake:words=2]]")).await().atMost(WAIT);
        assertThat(stream.events().collect().asList().await().atMost(WAIT)).hasSize(4);
        assertThat(failureOf(stream.events().collect().asList())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aModelNoUpstreamServesIs422() {
        Throwable failure = failureOf(client.stream("gpt-9-imaginary", chat("x")));
        assertThat(failure).isInstanceOf(ModelNotServedException.class);
        assertThat(((ModelNotServedException) failure).problem().status()).isEqualTo(422);
        assertThat(((ModelNotServedException) failure).problem().members())
                .containsEntry("type", "https://tollgate.dev/problems/model-not-served");
        assertThat(client.serves("gpt-9-imaginary")).isFalse();
        assertThat(client.serves(MODEL)).isTrue();
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void theConcurrencyLimitCountsOpenStreams() {
        String model = TollgateTestResources.NARROW_TEST_MODEL;
        ProviderStream open = client.stream(model, FakeProvider.chatRequest(model, "[[fake:words=50]] [[fake:chunk-delay-ms=20]]"))
                .await().atMost(WAIT);

        Throwable refused = failureOf(model, "x");
        assertThat(refused).isInstanceOf(ProviderUnavailableException.class);
        assertThat(((ProviderUnavailableException) refused).problem().members())
                .containsEntry("type", "https://tollgate.dev/problems/provider-busy");

        open.cancel();
        waitUntil(() -> client.inFlight("fake-narrow") == 0, Duration.ofSeconds(1));
        assertThat(eventsOf(model, FakeProvider.chatRequest(model, "x"))).isNotEmpty();
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresOfItsUpstreamOnly() {
        String model = TollgateTestResources.CIRCUIT_TEST_MODEL;
        assertEveryCallFails(4, "[[fake:fail=500]]", ProviderFailure.class);
        assertThat(circuitState()).isEqualTo(CircuitBreakerState.OPEN);
        int received = fake.requests().size();

        Throwable refused = failureOf(model, "fine");
        assertThat(refused).isInstanceOf(ProviderUnavailableException.class);
        ProviderUnavailableException unavailable = (ProviderUnavailableException) refused;
        assertThat(unavailable.circuitOpen()).isTrue();
        assertThat(unavailable.retryAfterSeconds()).isBetween(1L, 30L);
        assertThat(unavailable.problem().status()).isEqualTo(503);
        assertThat(unavailable.problem().members()).containsEntry("type", "https://tollgate.dev/problems/provider-unavailable");
        assertThat(failureOf(model, "fine")).isInstanceOf(ProviderUnavailableException.class);
        assertThat(fake.requests()).hasSize(received); // nothing was sent while open

        // Other upstreams keep working.
        assertThat(eventsOf(MODEL, chat("fine"))).isNotEmpty();
    }

    @Test
    void aCallSentAndUnansweredHasAnUnknownOutcomeButASendThatFailedHasNot() {
        Throwable stalled = failureOf(client.stream(MODEL, chat("[[fake:stall]]")));
        assertThat(((ProviderFailure) stalled).outcomeUnknown()).isTrue();
        String down = TollgateTestResources.DOWN_TEST_MODEL;
        Throwable refused = failureOf(down, "x");
        assertThat(((ProviderFailure) refused).outcomeUnknown()).isFalse();
    }

    @Test
    void slowCallsDoNotOpenTheCircuit() {
        // One user's calls that are slow to answer (a long prompt, a long reasoning) time out; they
        // must not make the upstream unavailable to everyone. More of them than the circuit's window.
        String model = TollgateTestResources.CIRCUIT_TEST_MODEL;
        List<io.smallrye.mutiny.Uni<ProviderStream>> stalled = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            stalled.add(client.stream(model, FakeProvider.chatRequest(model, "[[fake:stall]]")));
        }
        List<Throwable> failures = stalled.stream().parallel().map(uni -> catchThrowable(() -> uni.await().atMost(WAIT)))
                .toList();
        assertThat(failures).hasSize(6).allSatisfy(failure -> assertThat(((ProviderFailure) failure).reason())
                .isEqualTo(ProviderFailure.Reason.FIRST_BYTE_TIMEOUT));
        assertThat(circuitState()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(eventsOf(model, FakeProvider.chatRequest(model, "fine"))).isNotEmpty();
    }

    @Test
    void aCallIsCutAtItsUpstreamsMaxCallDuration() {
        String model = TollgateTestResources.SHORT_CALL_TEST_MODEL;
        long start = System.nanoTime();
        ProviderStream stream = client.stream(model, FakeProvider.chatRequest(model, "[[fake:words=500]] [[fake:chunk-delay-ms=20]]"))
                .await().atMost(WAIT);
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Throwable failure = catchThrowable(() -> stream.events().invoke(received::add).collect().asList()
                .await().atMost(Duration.ofSeconds(10)));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(received).isNotEmpty();
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        assertThat(((ProviderFailure) failure).reason()).isEqualTo(ProviderFailure.Reason.CALL_DEADLINE);
        assertThat(elapsedMillis).isBetween(1_900L, 6_000L);
        waitUntil(() -> fake.openExchanges() == 0, Duration.ofSeconds(2));
    }

    @Test
    void rejectedRequestsDoNotOpenTheCircuit() {
        assertEveryCallFails(6, "[[fake:fail=400]]", ProviderRequestRejectedException.class);
        assertThat(circuitState()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void theOpeningCanBeCancelledAndResetsTheRequest() {
        io.smallrye.mutiny.subscription.Cancellable opening = client.stream(MODEL, chat("[[fake:delay-ms=3000]]"))
                .subscribe().with(s -> {
                }, f -> {
                });
        // The exchange really opened: the fake holds the request, the upstream's permit is taken.
        waitUntil(() -> fake.openExchanges() == 1 && client.inFlight("fake") == 1, Duration.ofSeconds(2));
        opening.cancel();
        waitUntil(() -> client.inFlight("fake") == 0, Duration.ofSeconds(1));
        waitUntil(() -> fake.openExchanges() == 0, Duration.ofSeconds(2));
    }

    @Test
    void cancelledOpeningsDoNotOpenTheCircuit() {
        String model = TollgateTestResources.CIRCUIT_TEST_MODEL;
        for (int i = 0; i < 6; i++) {
            client.stream(model, FakeProvider.chatRequest(model, "[[fake:delay-ms=2000]]")).subscribe().with(r -> {
            }, f -> {
            }).cancel();
        }
        waitUntil(() -> fake.openExchanges() == 0 && client.inFlight("fake-circuit") == 0, Duration.ofSeconds(2));
        // Past the first-byte timeout: no cancelled call may turn into a timeout that counts as a failure.
        sleep(Duration.ofMillis(2_300));
        assertThat(circuitState()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(eventsOf(model, FakeProvider.chatRequest(model, "fine"))).isNotEmpty();
    }

    @Test
    void aRefusedConnectionIs502WithoutTheAddress() {
        String model = TollgateTestResources.DOWN_TEST_MODEL;
        Throwable failure = failureOf(model, "x");
        assertThat(failure).isInstanceOf(ProviderFailure.class);
        ProviderFailure refused = (ProviderFailure) failure;
        assertThat(refused.reason()).isEqualTo(ProviderFailure.Reason.CONNECTION_FAILED);
        assertThat(refused.problem().status()).isEqualTo(502);
        assertThat(refused.getMessage()).doesNotContain("127.0.0.1");
        assertThat(String.valueOf(refused.problem().members())).doesNotContain("127.0.0.1");
        assertThat(failureOf(model, "x")).isInstanceOf(ProviderFailure.class);
    }

    private static void waitUntil(BooleanSupplier condition, Duration atMost) {
        if (!awaitAtMost(condition, atMost)) {
            throw new AssertionError("condition not met within " + atMost);
        }
    }

    /** Waits until the condition holds or the time is up; whether it holds. */
    private static boolean awaitAtMost(BooleanSupplier condition, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(20));
        }
        return true;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
