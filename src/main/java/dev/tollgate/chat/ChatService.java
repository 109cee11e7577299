package dev.tollgate.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.Hold;
import dev.tollgate.ledger.HoldsConfig;
import dev.tollgate.ledger.IdempotencyConflictException;
import dev.tollgate.ledger.InsufficientCreditsException;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.PlansConfig;
import dev.tollgate.ledger.Settlement;
import dev.tollgate.metering.CostEstimator;
import dev.tollgate.metering.MeteredCall;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.time.Pause;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;
import dev.tollgate.tokens.TokenEstimator;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The money side of a metered chat call, in three steps around the provider call (which never
 * runs inside a transaction): {@link #hold} the estimate with the output budget capped at what
 * the user can afford; then {@link #settle} the real usage, or {@link #release} the hold when
 * the provider failed before any output. A settle that fails after the user got an answer
 * becomes a compensation row: no credit movement is lost.
 */
@ApplicationScoped
public class ChatService {

    private static final Logger LOG = Logger.getLogger(ChatService.class);
    /** How long a settle after the answer keeps trying while the database is unreachable. */
    static final Duration SETTLE_PATIENCE = Duration.ofSeconds(20);
    static final Duration SETTLE_RETRY_PAUSE = Duration.ofMillis(500);

    @Inject
    Ledger ledger;

    @Inject
    PriceList priceList;

    @Inject
    CostEstimator costEstimator;

    @Inject
    TokenEstimator tokens;

    @Inject
    UsageRecorder usageRecorder;

    @Inject
    CompensationQueue compensations;

    @Inject
    PlansConfig plans;

    @Inject
    HoldsConfig holds;

    @Inject
    Transactions transactions;

    @Inject
    MeterRegistry meters;

    @Inject
    Clock clock;

    /** A call with credits on hold: what to send upstream, and how its budget was capped. */
    public record HeldCall(String userId, String requestId, UUID reservationId, Price price, long promptTokens,
            Integer requestedMaxTokens, long maxTokens, Millicredits held) {

        public boolean capped() {
            return requestedMaxTokens != null && maxTokens < requestedMaxTokens;
        }
    }

    /** What a settled call cost and was charged. */
    public record Charge(Millicredits cost, Millicredits charged, boolean estimated, boolean deferred) {
    }

    /**
     * Holds the estimate of the call. The output budget is what the client asked for (or the
     * default), capped at what the available balance covers; 402 if not even one output token is
     * covered.
     */
    HeldCall hold(String userId, String requestId, ChatRequest request, long defaultMaxTokens, RequestOrigin origin) {
        String requestHash = RequestHash.of("chat", request.upstreamBody().toString());
        try {
            return holdOnce(userId, requestId, request, defaultMaxTokens, origin, requestHash);
        } catch (DuplicateRequestException e) {
            // Completions are not stored (we keep no prompts or answers), so a key is used once.
            throw new IdempotencyConflictException();
        }
    }

    private HeldCall holdOnce(String userId, String requestId, ChatRequest request, long defaultMaxTokens,
            RequestOrigin origin, String requestHash) {
        return transactions.inNewTransaction(() -> {
            Price price = priceList.current(request.model());
            CreditAccount account = ledger.ensureAccount(userId);
            long promptTokens = tokens.promptTokens(price.model(), request.messages());
            long wanted = request.requestedMaxTokens() != null ? request.requestedMaxTokens() : defaultMaxTokens;
            Millicredits available = Millicredits.of(account.balances().available());
            long affordable = costEstimator.affordableOutputTokens(price, promptTokens, available);
            long maxTokens = Math.min(wanted, affordable);
            if (maxTokens < 1) {
                throw new InsufficientCreditsException(costEstimator.estimate(price, promptTokens, 1).amount(),
                        available, account.plan, plans.upgradeHint(account.plan));
            }
            CostEstimator.Estimate estimate = costEstimator.estimate(price, promptTokens, maxTokens);
            Hold hold = ledger.hold(userId, estimate.amount(), request.model(), clock.instant().plus(holds.ttl()),
                    Mutation.byUser(userId, requestId, requestHash, origin.clientIp(), origin.userAgent()));
            return new HeldCall(userId, requestId, hold.reservationId(), price, promptTokens,
                    request.requestedMaxTokens(), maxTokens, hold.amount());
        });
    }

    /** The provider failed before any output: free the hold, charge nothing. */
    void release(HeldCall call, RequestOrigin origin) {
        try {
            transactions.inNewTransaction(() -> ledger.release(call.userId(), call.reservationId(),
                    Mutation.byUser(call.userId(), Ledger.releaseKey(call.reservationId()),
                            RequestHash.of("release", call.reservationId().toString()), origin.clientIp(),
                            origin.userAgent())));
            meters.counter("tollgate.holds.resolved", "outcome", "released").increment();
        } catch (RuntimeException e) {
            // The hold stays; the expiry job frees it. Nothing was charged.
            LOG.errorf(e, "release of reservation %s failed; the expiry job will free it", call.reservationId());
        }
    }

    /**
     * Records and charges the call's usage and frees the rest of the hold, in one transaction. If
     * that fails, the charge is queued as a compensation; the answer the user got stands. If the
     * compensation cannot be written either because the database is unreachable (restarting,
     * failing over), both are tried again, every {@link #SETTLE_RETRY_PAUSE} for at most
     * {@link #SETTLE_PATIENCE}: the user has the answer, and giving up would leave the call to the
     * expiry job, uncharged. Only past that bound (or for another failure of the compensation
     * write) does the settle fail, logged at ERROR with the amount.
     */
    Charge settle(HeldCall call, Usage usage, boolean estimated, String characterId, String conversationId,
            RequestOrigin origin) {
        Millicredits cost = Pricing.charge(call.price(), usage);
        String key = Ledger.settleKey(call.reservationId());
        long giveUpAt = System.nanoTime() + SETTLE_PATIENCE.toNanos();
        for (int attempt = 1;; attempt++) {
            try {
                Settlement settlement = transactions.inNewTransaction(() -> {
                    long usageId = usageRecorder.record(new MeteredCall(call.userId(), call.requestId(), call.price().model(),
                            characterId, conversationId, usage, estimated, call.price(), cost, call.reservationId()));
                    return ledger.settle(call.userId(), call.reservationId(), cost,
                            Mutation.byUser(call.userId(), key, RequestHash.of("settle", usage), origin.clientIp(),
                                    origin.userAgent()).withUsage(usageId));
                });
                meters.counter("tollgate.holds.resolved", "outcome", "settled").increment();
                return new Charge(cost, settlement.charged(), estimated, false);
            } catch (RuntimeException e) {
                if (e instanceof DuplicateRequestException && settledBefore(call)) {
                    // An attempt of this settle whose commit was cut (reported as failed) did commit:
                    // the call is settled under its key. A compensation would charge it a second time.
                    LOG.warnf("settle of reservation %s had committed before its retry; nothing more to charge",
                            call.reservationId());
                    return new Charge(cost, cost, estimated, false);
                }
                if (attempt == 1) {
                    LOG.errorf(e, "settle of reservation %s failed after the answer; queuing a compensation", call.reservationId());
                } else {
                    LOG.warnf("settle of reservation %s failed again (attempt %d, %s)", call.reservationId(), attempt,
                            e.getClass().getSimpleName());
                }
            }
            try {
                compensations.deferCharge(call.userId(), key, cost, call.reservationId(),
                        "settle failed after the answer was delivered",
                        details(call, usage, estimated, characterId, conversationId));
                meters.counter("tollgate.holds.resolved", "outcome", "compensated").increment();
                return new Charge(cost, Millicredits.ZERO, estimated, true);
            } catch (RuntimeException e) {
                if (!Jdbc.isConnectionLoss(e) || System.nanoTime() - giveUpAt > 0) {
                    LOG.errorf(e, "reservation %s: the charge of %d millicredits could be neither settled nor queued",
                            call.reservationId(), cost.value());
                    throw e;
                }
                LOG.warnf("reservation %s: the database is unreachable; settling again in %d ms", call.reservationId(),
                        SETTLE_RETRY_PAUSE.toMillis());
                Pause.sleep(SETTLE_RETRY_PAUSE, "to settle");
            }
        }
    }

    /** Whether the settle of this call is in the ledger; false if that cannot be read now. */
    private boolean settledBefore(HeldCall call) {
        try {
            return transactions.inNewTransaction(
                    () -> ledger.findByKey(call.userId(), Ledger.settleKey(call.reservationId())).isPresent());
        } catch (RuntimeException e) {
            return false; // then a compensation is queued; the batch sees the settle and charges nothing more
        }
    }

    private static String details(HeldCall call, Usage usage, boolean estimated, String characterId,
            String conversationId) {
        return "{\"requestId\":" + json(call.requestId()) + ",\"model\":" + json(call.price().model())
                + ",\"pricingId\":" + call.price().pricingId() + ",\"characterId\":" + json(characterId)
                + ",\"conversationId\":" + json(conversationId) + ",\"estimated\":" + estimated
                + ",\"usage\":{\"uncachedInput\":" + usage.uncachedInput() + ",\"cachedInput\":" + usage.cachedInput()
                + ",\"cacheWrite\":" + usage.cacheWrite() + ",\"output\":" + usage.output() + ",\"reasoning\":"
                + usage.reasoning() + "}}";
    }

    private static String json(String value) {
        return value == null ? "null" : io.vertx.core.json.Json.encode(value);
    }
}
