package dev.tollgate.webhook;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;

import dev.tollgate.platform.launch.Launch;
import dev.tollgate.platform.tx.Transactions;

/**
 * Delivers the outbox, off the request threads: its own poller thread looks for due deliveries
 * every {@code tollgate.webhooks.poll-interval} (on every instance, whether or not Quarkus' job
 * scheduler runs there; {@code tollgate.webhooks.sender-enabled=false} switches it off), claims them in a short transaction and hands them to
 * the sender's own threads, which post them signed (Standard Webhooks) and record the outcome in
 * another transaction. A slow or dead receiver holds at most
 * {@code max-in-flight-per-endpoint} deliveries and this instance's sender threads, never a
 * request thread nor a transaction of the money path.
 *
 * <p>Bounded everywhere: each attempt within {@code timeout}; at most
 * {@code max-in-flight-per-endpoint} in flight per endpoint over every instance (the claimer
 * locks the endpoint row, {@code FOR UPDATE SKIP LOCKED}); at most {@code sender-threads} per
 * instance; after a failure the next attempt waits {@code retry-base-delay} doubled per attempt up
 * to {@code retry-max-delay}; after {@code max-attempts} the delivery is dead until an admin
 * replays it. In order per account and endpoint: only the oldest pending delivery of an account is
 * ever claimed. At least once: a delivery whose outcome was not recorded (the instance died) is
 * claimed again when its claim runs out; the {@code webhook-id} is the same on every attempt.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    /** Endpoints one poll claims for, at most. */
    static final int ENDPOINTS_PER_POLL = 100;
    /** How long a claim outlives the attempt's timeout: a sender that died is replaced after this. */
    static final Duration CLAIM_MARGIN = Duration.ofSeconds(30);

    @Inject
    WebhooksConfig config;

    @Inject
    WebhookDeliveries deliveries;

    @Inject
    WebhookHttp http;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /** The one thread that looks for due deliveries; the request threads and Quarkus' scheduler are never used. */
    private ScheduledExecutorService poller;
    private ExecutorService senders;
    /** Free sender threads: a poll claims no more than there are. */
    private Semaphore idle;
    private WebhookUrlPolicy urls;
    private final AtomicInteger sending = new AtomicInteger();
    /** A poll is queued on the poller already (after a delivery ended). */
    private final AtomicBoolean pollQueued = new AtomicBoolean();

    @PostConstruct
    void start() {
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "webhook-poller");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger thread = new AtomicInteger();
        senders = Executors.newFixedThreadPool(config.senderThreads(), runnable -> {
            Thread t = new Thread(runnable, "webhook-sender-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        idle = new Semaphore(config.senderThreads());
        urls = WebhookUrlPolicy.of(config);
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
        senders.shutdownNow();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts polling once the application is up, unless the sender is switched off here or the
     * process is the one-shot job command ({@code job <name>}), which exits when its job is done.
     */
    void startPolling(@Observes StartupEvent started, @CommandLineArguments String[] arguments) {
        if (Launch.isJob(arguments)) {
            return;
        }
        if (!config.senderEnabled()) {
            LOG.info("webhook sender off on this instance (tollgate.webhooks.sender-enabled=false)");
            return;
        }
        long every = config.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    void poll() {
        try {
            sendDue();
        } catch (RuntimeException e) {
            LOG.errorf(e, "webhook deliveries could not be claimed; the next poll tries again");
        }
    }

    /** Claims what is due and may be sent now, and starts sending it; answers how many were started. */
    int sendDue() {
        int free = idle.availablePermits();
        if (free == 0) {
            return 0;
        }
        List<WebhookDeliveries.Claimed> claimed = transactions.inNewTransaction(() -> claim(free));
        for (WebhookDeliveries.Claimed delivery : claimed) {
            idle.acquireUninterruptibly();
            sending.incrementAndGet();
            try {
                senders.execute(() -> {
                    try {
                        send(delivery);
                    } finally {
                        sending.decrementAndGet();
                        idle.release();
                        pollSoon();
                    }
                });
            } catch (RejectedExecutionException e) {
                // Shutting down: the claim runs out and another instance sends it.
                sending.decrementAndGet();
                idle.release();
            }
        }
        return claimed.size();
    }

    /**
     * Looks for due deliveries now rather than at the next interval: a delivery that ended frees a
     * place in its endpoint's limit and may unblock the account's next event, so a backlog drains
     * at the receiver's pace, not one limit's worth per poll interval. At most one such poll waits.
     */
    private void pollSoon() {
        if (pollQueued.compareAndSet(false, true)) {
            try {
                poller.execute(() -> {
                    pollQueued.set(false);
                    poll();
                });
            } catch (RejectedExecutionException e) {
                pollQueued.set(false);
            }
        }
    }

    /** Deliveries this instance is sending now. */
    int sending() {
        return sending.get();
    }

    private List<WebhookDeliveries.Claimed> claim(int free) {
        Instant now = clock.instant();
        Instant claimedUntil = now.plus(config.timeout()).plus(CLAIM_MARGIN);
        List<WebhookDeliveries.Claimed> claimed = new ArrayList<>();
        for (UUID endpoint : deliveries.endpointsDue(now, ENDPOINTS_PER_POLL)) {
            int room = Math.min(free - claimed.size(), config.maxInFlightPerEndpoint() - deliveries.inFlight(endpoint, now));
            if (room > 0) {
                claimed.addAll(deliveries.claim(endpoint, now, room, claimedUntil));
            }
            if (claimed.size() >= free) {
                break;
            }
        }
        return claimed;
    }

    private void send(WebhookDeliveries.Claimed delivery) {
        WebhookHttp.Outcome outcome;
        try {
            outcome = attempt(delivery);
        } catch (RuntimeException e) {
            LOG.errorf(e, "webhook delivery %d failed unexpectedly", delivery.id());
            outcome = new WebhookHttp.Outcome(null, "the sender failed: " + e.getClass().getSimpleName());
        }
        WebhookHttp.Outcome result = outcome;
        Instant now = clock.instant();
        try {
            transactions.inNewTransaction(() -> {
                record(delivery, result, now);
                return null;
            });
        } catch (RuntimeException e) {
            // Not recorded: the claim runs out and the delivery is sent again (at least once).
            LOG.errorf(e, "outcome of webhook delivery %d could not be recorded", delivery.id());
        }
    }

    private WebhookHttp.Outcome attempt(WebhookDeliveries.Claimed delivery) {
        byte[] key = WebhookSecret.key(delivery.secret())
                .orElseThrow(() -> new IllegalStateException("endpoint " + delivery.endpointId() + " has a malformed secret"));
        URI url = URI.create(delivery.url());
        // Checked again now: a host may resolve elsewhere than when the endpoint was saved.
        String refused = urls.refusedAddress(url);
        if (refused != null) {
            return new WebhookHttp.Outcome(null, "not sent: " + refused);
        }
        long timestamp = clock.instant().getEpochSecond();
        return http.post(url, Map.of(
                "webhook-id", delivery.eventId(),
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", WebhookSignature.sign(key, delivery.eventId(), timestamp, delivery.payload())),
                delivery.payload());
    }

    private void record(WebhookDeliveries.Claimed delivery, WebhookHttp.Outcome outcome, Instant now) {
        if (outcome.succeeded()) {
            deliveries.delivered(delivery.id(), outcome.statusCode(), now);
            return;
        }
        boolean dead = delivery.attempt() >= config.maxAttempts();
        deliveries.failed(delivery.id(), outcome.statusCode(), outcome.error(), dead,
                dead ? now : now.plus(backoff(delivery.attempt())));
        if (dead) {
            LOG.warnf("webhook delivery %d (%s) to endpoint %s is dead after %d attempts: %s", delivery.id(),
                    delivery.eventId(), delivery.endpointId(), delivery.attempt(), outcome.error());
        } else {
            LOG.infof("webhook delivery %d attempt %d failed: %s", delivery.id(), delivery.attempt(), outcome.error());
        }
    }

    /** The wait after the {@code attempt}-th failure: the base delay doubled per attempt, at most the cap. */
    Duration backoff(int attempt) {
        return backoff(config.retryBaseDelay(), config.retryMaxDelay(), attempt);
    }

    static Duration backoff(Duration base, Duration cap, int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = base.toMillis();
        long capMillis = cap.toMillis();
        for (int i = 0; i < doublings && millis < capMillis; i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, capMillis));
    }
}
