package dev.tollgate.reservation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.CreditHold;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.ledger.Operation;
import dev.tollgate.ledger.Payer;
import dev.tollgate.metering.CostEstimator;
import dev.tollgate.metering.MeteredCalls;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.idempotency.StoredRequest;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.pricing.Price;
import dev.tollgate.tokens.ChatMessage;
import dev.tollgate.tokens.TokenEstimator;

/**
 * Holds for backends that call a model themselves, through {@link MeteredCalls}: reserve the
 * estimate, then settle the real usage (charge it at the price the hold was quoted, free the rest:
 * one transaction) or release the hold. Reserving is idempotent by key; settle and release by
 * hold id (their ledger keys are derived from it), and a hold resolves at most once.
 */
@ApplicationScoped
public class ReservationService {

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    Ledger ledger;

    @Inject
    CostEstimator costEstimator;

    @Inject
    TokenEstimator tokens;

    @Inject
    UsageRecorder usageRecorder;

    @Inject
    IdempotentMutations mutations;

    /** A hold as its reserve stored it: the hold and its HOLD entry, under one key. */
    private record StoredHold(CreditHold hold, LedgerEntry entry) implements StoredRequest {

        @Override
        public String requestHash() {
            return hold.requestHash;
        }
    }

    /** Holds the estimate of a call; a retry under the key answers the same hold, as a replay. */
    public Answer<ReservationResponses.Held> reserve(Payer payer, IdempotencyKey key, ReservationRequest request,
            RequestOrigin origin) {
        IdempotentRequest reserve = IdempotentRequest.of(key, payer.fingerprinted("reserve"), request);
        long promptTokens = tokens.promptTokens(request.model(), messages(request));
        long maxOutputTokens = costEstimator.outputBudget(request.maxOutputTokens());
        return mutations.applyCommitting(() -> {
            MeteredCalls.Held held = meteredCalls.hold(payer, reserve, request.model(), promptTokens, maxOutputTokens,
                    origin);
            return held(held.holdId(), request.model(), promptTokens, maxOutputTokens, held.expiresAt(),
                    held.entry());
        }, Repeat.replayed(reserve, storedKey -> storedHold(payer.accountId(), storedKey),
                stored -> stored.entry().is(Operation.HOLD, stored.hold().id),
                stored -> held(stored.hold().id, stored.hold().model, promptTokens, maxOutputTokens,
                        stored.hold().expiresAt, stored.entry())));
    }

    public ReservationResponses.Settled settle(Payer payer, UUID holdId, SettleRequest request,
            RequestOrigin origin) {
        IdempotentRequest settle = IdempotentRequest.derived(Ledger.settleKey(holdId), "settle", request);
        return mutations.applyCommitting(() -> {
            Price price = meteredCalls.quotedPrice(payer, holdId);
            MeteredCalls.Charged charged = meteredCalls.settle(payer, holdId, price, settle.key(),
                    new MeteredCalls.Outcome(request.usage().toUsage(), Boolean.TRUE.equals(request.estimated()),
                            request.characterId(), request.conversationId()),
                    settle.requestHash(), origin);
            return settled(holdId, charged.usageId(), charged.cost(), charged.entry());
        }, Repeat.replayed(settle, storedKey -> ledger.findByKey(payer.accountId(), storedKey),
                entry -> entry.is(Operation.SETTLE, holdId), entry -> {
                    UsageRecorder.Recorded usage = usageRecorder.find(entry.usageId());
                    return settled(holdId, usage.id(), Millicredits.of(usage.costMillicredits()), entry);
                }))
                .value();
    }

    /**
     * Frees a hold. A repeated release does not reach its key: the ledger refuses it, the hold being
     * no longer held; it answers what the release answered if the entry under the release key is
     * the release of this hold. On a team pool, only the member who placed a hold releases it.
     */
    public ReservationResponses.Released release(Payer payer, UUID holdId, RequestOrigin origin) {
        meteredCalls.requireHolder(payer, holdId);
        return mutations.applyCommitting(
                () -> released(holdId, meteredCalls.release(payer, holdId, origin)),
                Repeat.doneIf(() -> ledger.findByKey(payer.accountId(), Ledger.releaseKey(holdId)),
                        entry -> entry.is(Operation.RELEASE, holdId), entry -> released(holdId, entry))
                        .signalledBy(LedgerRuleException.class))
                .value();
    }

    /** The hold and its entry under the key, if both are there. */
    private Optional<StoredHold> storedHold(String userId, String key) {
        CreditHold hold = CreditHold.find("userId = ?1 and idempotencyKey = ?2", userId, key)
                .firstResult();
        return Optional.ofNullable(hold)
                .flatMap(found -> ledger.findByKey(userId, key).map(entry -> new StoredHold(found, entry)));
    }

    private static List<ChatMessage> messages(ReservationRequest request) {
        return request.messages().stream()
                .map(m -> new ChatMessage(m.role(), m.content(), m.name()))
                .toList();
    }

    private static ReservationResponses.Held held(UUID id, String model, long promptTokens, long maxOutputTokens,
            Instant expiresAt, LedgerEntry entry) {
        long held = entry.reservedDelta();
        return new ReservationResponses.Held(id, CreditHold.Status.HELD.name(), model, promptTokens,
                maxOutputTokens, held, Millicredits.of(held).credits(), expiresAt, BalanceSnapshot.of(entry.after()));
    }

    private static ReservationResponses.Settled settled(UUID id, long usageId, Millicredits cost, LedgerEntry entry) {
        long held = -entry.reservedDelta();
        long charged = -entry.spendableDelta();
        return new ReservationResponses.Settled(id, CreditHold.Status.SETTLED.name(), usageId, cost.value(),
                charged, cost.value() - charged, Math.max(0, held - charged), BalanceSnapshot.of(entry.after()));
    }

    private static ReservationResponses.Released released(UUID id, LedgerEntry entry) {
        return new ReservationResponses.Released(id, CreditHold.Status.RELEASED.name(), -entry.reservedDelta(),
                BalanceSnapshot.of(entry.after()));
    }
}
