package dev.tollgate.reservation;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.CreditReservation;
import dev.tollgate.ledger.Hold;
import dev.tollgate.ledger.HoldsConfig;
import dev.tollgate.ledger.IdempotencyConflictException;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.LedgerRuleException;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Settlement;
import dev.tollgate.metering.CostEstimator;
import dev.tollgate.metering.MeteredCall;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.RequestHash;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;
import dev.tollgate.tokens.ChatMessage;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Holds for backends that call a model themselves: reserve the estimate, then settle the real
 * usage (charge it, free the rest of the hold: one transaction) or release the hold. Reserving is
 * idempotent by key; settle and release by reservation id (their keys are {@code settle:<id>} and
 * {@code release:<id>}), and a hold resolves at most once.
 */
@ApplicationScoped
public class ReservationService {

    @Inject
    Ledger ledger;

    @Inject
    PriceList priceList;

    @Inject
    CostEstimator costEstimator;

    @Inject
    UsageRecorder usageRecorder;

    @Inject
    HoldsConfig holds;

    @Inject
    Transactions transactions;

    @Inject
    MeterRegistry meters;

    @Inject
    Clock clock;

    public ReservationResponses.Held reserve(String userId, IdempotencyKey key, ReservationRequest request,
            RequestOrigin origin) {
        String requestHash = RequestHash.of("reserve", request);
        try {
            return transactions.inNewTransaction(() -> {
                CostEstimator.Estimate estimate = estimate(request);
                Hold hold = ledger.hold(userId, estimate.amount(), request.model(), clock.instant().plus(holds.ttl()),
                        Mutation.byUser(userId, key.value(), requestHash, origin.clientIp(), origin.userAgent()));
                return held(hold.reservationId(), request.model(), estimate, hold.expiresAt(), hold.entry());
            });
        } catch (DuplicateRequestException e) {
            return transactions.inNewTransaction(() -> {
                CreditReservation reservation = CreditReservation.find("userId = ?1 and idempotencyKey = ?2", userId,
                        key.value()).firstResult();
                LedgerEntry entry = ledger.findByKey(userId, key.value()).orElse(null);
                if (reservation == null || entry == null || !requestHash.equals(reservation.requestHash)) {
                    throw new IdempotencyConflictException();
                }
                return held(reservation.id, reservation.model, estimate(request), reservation.expiresAt, entry);
            });
        }
    }

    public ReservationResponses.Settled settle(String userId, UUID reservationId, SettleRequest request,
            RequestOrigin origin) {
        String key = Ledger.settleKey(reservationId);
        String requestHash = RequestHash.of("settle", request);
        try {
            ReservationResponses.Settled settled = transactions.inNewTransaction(
                    () -> settleOnce(userId, reservationId, key, requestHash, request, origin));
            meters.counter("tollgate.holds.resolved", "outcome", "settled").increment();
            return settled;
        } catch (DuplicateRequestException e) {
            return transactions.inNewTransaction(() -> {
                LedgerEntry entry = ledger.findByKey(userId, key).orElseThrow(IdempotencyConflictException::new);
                if (!requestHash.equals(entry.requestHash())) {
                    throw new IdempotencyConflictException();
                }
                UsageRecorder.Recorded usage = usageRecorder.find(entry.usageId());
                return settled(reservationId, usage.id(), Millicredits.of(usage.costMillicredits()), entry);
            });
        }
    }

    public ReservationResponses.Released release(String userId, UUID reservationId, RequestOrigin origin) {
        String key = Ledger.releaseKey(reservationId);
        String requestHash = RequestHash.of("release", reservationId.toString());
        try {
            ReservationResponses.Released released = transactions.inNewTransaction(() -> released(reservationId,
                    ledger.release(userId, reservationId,
                            Mutation.byUser(userId, key, requestHash, origin.clientIp(), origin.userAgent()))));
            meters.counter("tollgate.holds.resolved", "outcome", "released").increment();
            return released;
        } catch (LedgerRuleException e) {
            // Released before? Then this is a retry: answer what the release answered.
            return transactions.inNewTransaction(() -> ledger.findByKey(userId, key)
                    .map(entry -> released(reservationId, entry))
                    .orElseThrow(() -> e));
        }
    }

    private ReservationResponses.Settled settleOnce(String userId, UUID reservationId, String key, String requestHash,
            SettleRequest request, RequestOrigin origin) {
        CreditReservation reservation = CreditReservation.findById(reservationId);
        if (reservation == null || !reservation.userId.equals(userId)) {
            throw LedgerRuleException.reservationNotFound();
        }
        // The price the hold was quoted at.
        Price price = priceList.at(reservation.model, reservation.createdAt);
        Usage usage = request.usage().toUsage();
        Millicredits cost = Pricing.charge(price, usage);
        long usageId = usageRecorder.record(new MeteredCall(userId, key, reservation.model, request.characterId(),
                request.conversationId(), usage, Boolean.TRUE.equals(request.estimated()), price, cost, reservationId));
        Settlement settlement = ledger.settle(userId, reservationId, cost,
                Mutation.byUser(userId, key, requestHash, origin.clientIp(), origin.userAgent()).withUsage(usageId));
        return settled(reservationId, usageId, cost, settlement.entry());
    }

    private CostEstimator.Estimate estimate(ReservationRequest request) {
        List<ChatMessage> messages = request.messages().stream()
                .map(m -> new ChatMessage(m.role(), m.content(), m.name()))
                .toList();
        return costEstimator.estimate(priceList.current(request.model()), messages, request.maxOutputTokens());
    }

    private static ReservationResponses.Held held(UUID id, String model, CostEstimator.Estimate estimate,
            java.time.Instant expiresAt, LedgerEntry entry) {
        long held = entry.reservedDelta();
        return new ReservationResponses.Held(id, CreditReservation.Status.HELD.name(), model, estimate.promptTokens(),
                estimate.maxOutputTokens(), held, Millicredits.of(held).credits(), expiresAt,
                BalanceSnapshot.of(entry.after()));
    }

    private static ReservationResponses.Settled settled(UUID id, long usageId, Millicredits cost, LedgerEntry entry) {
        long held = -entry.reservedDelta();
        long charged = -entry.spendableDelta();
        return new ReservationResponses.Settled(id, CreditReservation.Status.SETTLED.name(), usageId, cost.value(),
                charged, Math.max(0, held - charged), BalanceSnapshot.of(entry.after()));
    }

    private static ReservationResponses.Released released(UUID id, LedgerEntry entry) {
        return new ReservationResponses.Released(id, CreditReservation.Status.RELEASED.name(), -entry.reservedDelta(),
                BalanceSnapshot.of(entry.after()));
    }
}
