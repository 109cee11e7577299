package dev.tollgate.metering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.ledger.CreditHold;
import dev.tollgate.ledger.HeldCall;
import dev.tollgate.ledger.Hold;
import dev.tollgate.ledger.HoldsConfig;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Operation;
import dev.tollgate.ledger.Payer;
import dev.tollgate.ledger.Settlement;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
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

/**
 * The money side of a metered call, shared by the chat call and by reservations: hold the
 * estimate, then settle the real usage (record it, charge it at the price the hold was quoted, free
 * the rest of the hold: one transaction) or release the hold. The provider is never called inside
 * one of these transactions. This class owns the meters of how holds end
 * ({@code tollgate.holds.resolved{outcome}}) and of shortfalls
 * ({@code tollgate.settle.shortfall}, millicredits a settle above its hold could not charge).
 *
 * <p>For the chat call, a settle that fails after the user got the answer becomes a compensation
 * row ({@link #settleAfterAnswer}): no credit movement is lost.
 */
@ApplicationScoped
public class MeteredCalls {

    private static final Logger LOG = Logger.getLogger(MeteredCalls.class);
    /** How long a settle after the answer keeps trying while the database is unreachable. */
    public static final Duration SETTLE_PATIENCE = Duration.ofSeconds(20);
    static final Duration SETTLE_RETRY_PAUSE = Duration.ofMillis(500);

    /** {@link #SETTLE_PATIENCE}; shorter in the unit tests of this class. */
    Duration settlePatience = SETTLE_PATIENCE;

    @Inject
    Ledger ledger;

    @Inject
    PriceList priceList;

    @Inject
    CostEstimator costEstimator;

    @Inject
    HoldSettlement holdSettlement;

    @Inject
    CompensationQueue compensations;

    @Inject
    HoldExpiry holdExpiry;

    @Inject
    HoldsConfig holds;

    @Inject
    Transactions transactions;

    @Inject
    IdempotentMutations mutations;

    @Inject
    MeterRegistry meters;

    @Inject
    Clock clock;

    /**
     * A call with credits on hold: the account (a user's, or a team pool's with the member who
     * placed it), its price, its counted prompt and the output budget the hold covers.
     */
    public record Held(String userId, String requestId, UUID holdId, Price price, long promptTokens,
            long maxOutputTokens, Millicredits amount, Instant expiresAt, LedgerEntry entry, String memberId) {

        /** Who pays for the call. */
        public Payer payer() {
            return memberId == null ? Payer.self(userId) : new Payer(userId, memberId);
        }
    }

    /** What a call used, as metered, and what it was about. {@code cost} null: the usage at the hold's price. */
    public record Outcome(Usage usage, boolean estimated, String characterId, String conversationId, Millicredits cost) {

        public Outcome(Usage usage, boolean estimated, String characterId, String conversationId) {
            this(usage, estimated, characterId, conversationId, null);
        }
    }

    /**
     * What a settled call cost and was charged; {@code shortfall} = cost − charged, above 0 only
     * when the cost exceeded the hold and the account could not cover the rest. {@code deferred}:
     * queued as a compensation, charged later.
     */
    public record Charged(long usageId, Millicredits cost, Millicredits charged, Millicredits shortfall,
            boolean estimated, boolean deferred, LedgerEntry entry) {
    }

    /**
     * Holds the estimate of a call with the whole output budget it names (reservations); 402 if
     * the available balance does not cover it. A key used before fails with
     * {@link DuplicateRequestException}, for the caller's {@link Repeat} to replay or refuse.
     */
    public Held hold(Payer payer, IdempotentRequest request, String model, long promptTokens, long maxOutputTokens,
            RequestOrigin origin) {
        return placeOnce(payer.accountId(), promptTokens, holdId -> {
            CostEstimator.Estimate estimate = costEstimator.estimate(priceList.current(model), promptTokens,
                    maxOutputTokens);
            return place(holdId, payer, request, estimate, null, null, false, origin);
        });
    }

    /** {@link #hold(Payer, IdempotentRequest, String, long, long, RequestOrigin)} on the user's own account. */
    public Held hold(String userId, IdempotentRequest request, String model, long promptTokens, long maxOutputTokens,
            RequestOrigin origin) {
        return hold(Payer.self(userId), request, model, promptTokens, maxOutputTokens, origin);
    }

    /**
     * Holds the estimate of a call whose output budget is the one wanted, capped at what the
     * available balance covers (the chat call: {@code max_tokens} is capped so that the call can
     * never run past what is held); 402 if not even one output token is covered. A key used before
     * fails with {@link DuplicateRequestException}, even when no output token is covered. The call is
     * Tollgate's own: a hold it leaves unresolved (the app stopped in the call) is charged at its
     * expiry ({@link HoldExpiry}). On a team pool, what the member's cap leaves bounds the budget
     * as the pool's balance does.
     */
    public Held holdAffordable(Payer payer, IdempotentRequest request, String model, long promptTokens,
            long wantedMaxOutputTokens, String characterId, String conversationId, RequestOrigin origin) {
        return placeOnce(payer.accountId(), promptTokens, holdId -> {
            Price price = priceList.current(model);
            Millicredits available = Millicredits.of(ledger.spendable(payer));
            // Not one output token covered: the hold of the smallest call is placed all the same, for the
            // ledger to refuse it (402) after its key was checked, as every hold's is (a retry of a call
            // whose first attempt holds the balance meets its key).
            long maxOutputTokens = Math.max(1, Math.min(wantedMaxOutputTokens,
                    costEstimator.affordableOutputTokens(price, promptTokens, available)));
            return place(holdId, payer, request, costEstimator.estimate(price, promptTokens, maxOutputTokens),
                    characterId, conversationId, true, origin);
        });
    }

    /** {@link #holdAffordable(Payer, IdempotentRequest, String, long, long, String, String, RequestOrigin)} on the user's own account. */
    public Held holdAffordable(String userId, IdempotentRequest request, String model, long promptTokens,
            long wantedMaxOutputTokens, String characterId, String conversationId, RequestOrigin origin) {
        return holdAffordable(Payer.self(userId), request, model, promptTokens, wantedMaxOutputTokens, characterId,
                conversationId, origin);
    }

    /**
     * Runs {@code placing} in a transaction of its own with a hold id chosen once, before the
     * first attempt; a retry of the transaction first looks for the hold an earlier attempt placed
     * ({@link #placedBefore}).
     */
    private Held placeOnce(String userId, long promptTokens, Function<UUID, Held> placing) {
        UUID holdId = UUID.randomUUID();
        AtomicBoolean triedBefore = new AtomicBoolean();
        return transactions.inNewTransaction(() -> {
            if (triedBefore.getAndSet(true)) {
                Optional<Held> held = placedBefore(holdId, userId, promptTokens);
                if (held.isPresent()) {
                    return held.get();
                }
            }
            return placing.apply(holdId);
        });
    }

    /**
     * Places the hold as {@code holdId}, an id chosen once per call, before its transaction's
     * first attempt: see {@link #placedBefore}.
     */
    private Held place(UUID holdId, Payer payer, IdempotentRequest request, CostEstimator.Estimate estimate,
            String characterId, String conversationId, boolean chargedAtExpiry, RequestOrigin origin) {
        Price price = estimate.price();
        HeldCall call = new HeldCall(estimate.promptTokens(), estimate.maxOutputTokens(), characterId, conversationId,
                chargedAtExpiry);
        Hold hold = ledger.hold(holdId, payer.accountId(), estimate.amount(), price.model(),
                clock.instant().plus(holds.ttl()), call,
                Mutation.byPayer(payer, request.key(), request.requestHash(), origin.clientIp(), origin.userAgent()));
        return new Held(payer.accountId(), request.key(), hold.holdId(), price, estimate.promptTokens(),
                estimate.maxOutputTokens(), hold.amount(), hold.expiresAt(), hold.entry(), payer.memberId());
    }

    /** The price a hold was quoted at, the one its settle charges: its model's price when it was placed. */
    public Price quotedPrice(CreditHold hold) {
        return priceList.at(hold.model, hold.createdAt);
    }

    /**
     * The price the caller's hold was quoted at, read in a transaction of its own; 404 if it is not
     * the caller's (on a team pool: a hold the caller placed).
     */
    public Price quotedPrice(Payer payer, UUID holdId) {
        return transactions.inNewTransaction(() -> quotedPrice(callersHold(payer, holdId)));
    }

    /**
     * Refuses with 404 a hold that is not the caller's (on a team pool: a hold the caller placed),
     * read in a transaction of its own.
     */
    public void requireHolder(Payer payer, UUID holdId) {
        transactions.inNewTransaction(() -> callersHold(payer, holdId));
    }

    private static CreditHold callersHold(Payer payer, UUID holdId) {
        CreditHold hold = CreditHold.findById(holdId);
        if (hold == null || !isHolder(payer, hold)) {
            throw LedgerRuleException.holdNotFound();
        }
        return hold;
    }

    /** Whether the hold is the payer's: on their own account, or placed by them on the pool. */
    public static boolean isHolder(Payer payer, CreditHold hold) {
        return hold.userId.equals(payer.accountId()) && Objects.equals(hold.memberId, payer.memberId());
    }

    /**
     * On a retry of the hold's transaction, the hold its previous attempt placed, if that attempt did
     * commit although its commit was reported failed (the connection was lost in the commit).
     * Without this look, the retry would meet the call's own key (the chat call would answer 409)
     * or its own hold in the balance (402), and the hold would wait for the expiry job. Another
     * request under the same key has another hold id. The output budget is the one the stored hold
     * was placed with.
     */
    private Optional<Held> placedBefore(UUID holdId, String userId, long promptTokens) {
        CreditHold hold = CreditHold.findById(holdId);
        if (hold == null || !hold.userId.equals(userId)) {
            return Optional.empty();
        }
        LedgerEntry entry = ledger.findByKey(userId, hold.idempotencyKey)
                .filter(e -> e.is(Operation.HOLD, holdId))
                .orElseThrow(() -> new IllegalStateException("hold " + holdId + " without its HOLD row"));
        Price price = quotedPrice(hold);
        Millicredits amount = Millicredits.of(hold.amountMillicredits);
        LOG.warnf("hold %s had committed before its transaction's retry; the call goes on with it", holdId);
        return Optional.of(new Held(userId, hold.idempotencyKey, holdId, price, promptTokens, hold.maxOutputTokens,
                amount, hold.expiresAt, entry, hold.memberId));
    }

    /**
     * Records the call's usage and charges its cost against its hold, freeing the rest, in one
     * transaction of its own; a shortfall is recorded with the usage row. The settle's key is
     * {@link Ledger#settleKey}: a second settle of the hold fails with
     * {@link DuplicateRequestException} (for the caller to replay), one of a hold resolved
     * otherwise with 409.
     *
     * @param usageRequestId the request id of the usage row
     * @param requestHash the fingerprint of the settle request
     */
    public Charged settle(Payer payer, UUID holdId, Price price, String usageRequestId, Outcome outcome,
            String requestHash, RequestOrigin origin) {
        Charged charged = transactions.inNewTransaction(
                () -> settleInTransaction(payer, holdId, price, usageRequestId, outcome, requestHash, origin));
        resolved("settled");
        countShortfall(charged);
        return charged;
    }

    private Charged settleInTransaction(Payer payer, UUID holdId, Price price, String usageRequestId,
            Outcome outcome, String requestHash, RequestOrigin origin) {
        Millicredits cost = costOf(price, outcome);
        // The member of a pool is the hold's: the ledger counts the settle against the member who placed it.
        HoldSettlement.Settled settled = holdSettlement.settle(new UsageRow(payer.accountId(), usageRequestId,
                price.model(), outcome.characterId(), outcome.conversationId(), outcome.usage(), outcome.estimated(),
                price, cost, holdId),
                Mutation.byUser(payer.userId(), Ledger.settleKey(holdId), requestHash, origin.clientIp(),
                        origin.userAgent()));
        Settlement settlement = settled.settlement();
        return new Charged(settled.usageId(), cost, settlement.charged(), settlement.shortfall(), outcome.estimated(),
                false, settlement.entry());
    }

    /**
     * Settles a call whose answer the user already has. If that fails, the charge is queued as a
     * compensation; the answer stands. If the compensation cannot be written either because the
     * database is unreachable (restarting, failing over), both are tried again, every
     * {@link #SETTLE_RETRY_PAUSE} for at most {@link #SETTLE_PATIENCE}: the user has the answer,
     * and giving up would leave the call to the expiry job, uncharged. Past that bound, with the
     * database still unreachable, the charge is handed to the compensation queue, which writes it as
     * soon as the database is back ({@link CompensationQueue#deferChargeWhenReachable}), and the call
     * returns, deferred. Only another failure of the compensation write fails the settle, logged at
     * ERROR with the amount.
     */
    public Charged settleAfterAnswer(Held call, Outcome outcome, RequestOrigin origin) {
        Millicredits cost = costOf(call.price(), outcome);
        String requestHash = RequestHash.of("settle", outcome.usage());
        String settleKey = Ledger.settleKey(call.holdId());
        // An attempt of this settle whose commit was cut (reported as failed) may have committed: then
        // the call is settled under its key, and a compensation would charge it a second time. (If that
        // cannot be read now, a compensation is queued: its batch sees the settle and charges nothing more.)
        Repeat<Charged> settledBefore = Repeat.doneIf(() -> ledger.findByKey(call.userId(), settleKey),
                entry -> entry.is(Operation.SETTLE, call.holdId()), entry -> {
                    LOG.warnf("settle of hold %s had committed before its retry; nothing more to charge",
                            call.holdId());
                    return new Charged(0, cost, cost, Millicredits.ZERO, outcome.estimated(), false, null);
                });
        long giveUpAt = System.nanoTime() + settlePatience.toNanos();
        for (int attempt = 1;; attempt++) {
            try {
                return mutations.applyCommitting(() -> settle(call.payer(), call.holdId(), call.price(),
                        call.requestId(), outcome, requestHash, origin), settledBefore).value();
            } catch (RuntimeException e) {
                if (attempt == 1) {
                    LOG.errorf(e, "settle of hold %s failed after the answer; queuing a compensation",
                            call.holdId());
                } else {
                    LOG.warnf("settle of hold %s failed again (attempt %d, %s)", call.holdId(), attempt,
                            e.getClass().getSimpleName());
                }
            }
            try {
                compensations.deferCharge(call.userId(), Ledger.settleKey(call.holdId()), cost, call.holdId(),
                        "settle failed after the answer was delivered", details(call, outcome));
                resolved("compensated");
                return new Charged(0, cost, Millicredits.ZERO, Millicredits.ZERO, outcome.estimated(), true, null);
            } catch (RuntimeException e) {
                if (!Jdbc.isConnectionLoss(e)) {
                    LOG.errorf(e, "hold %s: the charge of %d millicredits could be neither settled nor queued",
                            call.holdId(), cost.value());
                    throw e;
                }
                if (System.nanoTime() - giveUpAt > 0) {
                    // The database has been away for longer than this call waits: the charge waits for it
                    // in the queue instead, and the call ends (its hold stays until the charge is queued).
                    compensations.deferChargeWhenReachable(call.userId(), Ledger.settleKey(call.holdId()), cost,
                            call.holdId(), "settle failed after the answer was delivered", details(call, outcome));
                    resolved("compensated");
                    return new Charged(0, cost, Millicredits.ZERO, Millicredits.ZERO, outcome.estimated(), true, null);
                }
                LOG.warnf("hold %s: the database is unreachable; settling again in %d ms", call.holdId(),
                        SETTLE_RETRY_PAUSE.toMillis());
                Pause.sleep(SETTLE_RETRY_PAUSE, "to settle");
            }
        }
    }

    /**
     * Charges a call whose outcome at the provider is unknown (the request was sent and no answer
     * came) its whole hold: the provider may have run it and will bill it if so. Its usage row has
     * the prompt and the whole output budget, marked estimated.
     */
    public Charged chargeHold(Held call, String characterId, String conversationId, RequestOrigin origin) {
        Usage worstCase = new Usage(call.promptTokens(), 0, 0, call.maxOutputTokens(), 0);
        return settleAfterAnswer(call, new Outcome(worstCase, true, characterId, conversationId, call.amount()), origin);
    }

    /**
     * Frees a live hold without a charge, in a transaction of its own, under the release key of
     * the hold ({@link Ledger#releaseKey}).
     */
    public LedgerEntry release(Payer payer, UUID holdId, RequestOrigin origin) {
        IdempotentRequest release = IdempotentRequest.derived(Ledger.releaseKey(holdId), "release",
                holdId.toString());
        LedgerEntry entry = transactions.inNewTransaction(() -> ledger.release(payer.accountId(), holdId,
                Mutation.byUser(payer.userId(), release.key(), release.requestHash(), origin.clientIp(),
                        origin.userAgent())));
        resolved("released");
        return entry;
    }

    /**
     * The provider failed before any output: frees the hold, charges nothing. A failure here is
     * logged, not thrown. If the database is unreachable, the release is handed to the compensation
     * queue, which frees the hold as soon as the database is back
     * ({@link CompensationQueue#releaseWhenReachable}); otherwise the hold stays as it is.
     */
    public void releaseUnused(Held call, RequestOrigin origin) {
        try {
            release(call.payer(), call.holdId(), origin);
        } catch (RuntimeException e) {
            if (Jdbc.isConnectionLoss(e)) {
                LOG.warnf("release of hold %s failed: the database is unreachable; it is freed once it is back",
                        call.holdId());
                compensations.releaseWhenReachable(call.userId(), call.holdId(),
                        () -> release(call.payer(), call.holdId(), origin));
            } else {
                LOG.errorf(e, "release of hold %s failed", call.holdId());
            }
        }
    }

    /**
     * Ends the holds whose time ran out (the expiry job: {@link HoldExpiry}): freed, counted as
     * resolved by expiry; or, those of Tollgate's own calls, charged whole (outcome unknown),
     * counted as charged at expiry.
     */
    public HoldExpiry.Expired expireHolds(int batchSize, int maxBatches) {
        HoldExpiry.Expired expired = holdExpiry.expire(batchSize, maxBatches);
        meters.counter("tollgate.holds.resolved", "outcome", "expired").increment(expired.freed());
        meters.counter("tollgate.holds.resolved", "outcome", "charged-at-expiry").increment(expired.charged());
        return expired;
    }

    private static Millicredits costOf(Price price, Outcome outcome) {
        return outcome.cost() != null ? outcome.cost() : Pricing.cost(price, outcome.usage());
    }

    private void resolved(String outcome) {
        meters.counter("tollgate.holds.resolved", "outcome", outcome).increment();
    }

    private void countShortfall(Charged charged) {
        if (charged.shortfall().isPositive()) {
            Counter.builder("tollgate.settle.shortfall")
                    .description("Millicredits that settles above their hold could not charge (recorded with the usage row)")
                    .baseUnit("millicredits")
                    .register(meters)
                    .increment(charged.shortfall().value());
        }
    }

    private static String details(Held call, Outcome outcome) {
        Usage usage = outcome.usage();
        return new JsonObject()
                .put("requestId", call.requestId())
                .put("model", call.price().model())
                .put("pricingId", call.price().pricingId())
                .put("characterId", outcome.characterId())
                .put("conversationId", outcome.conversationId())
                .put("estimated", outcome.estimated())
                .put("usage", new JsonObject().put("uncachedInput", usage.uncachedInput())
                        .put("cachedInput", usage.cachedInput()).put("cacheWrite", usage.cacheWrite())
                        .put("output", usage.output()).put("reasoning", usage.reasoning()))
                .encode();
    }
}
