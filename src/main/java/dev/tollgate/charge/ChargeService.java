package dev.tollgate.charge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.metering.UsageRow;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.IdempotencyConflictException;
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

/**
 * Charges a call that another backend made: records its usage and charges its price in one
 * transaction, or changes nothing (402 if the account cannot cover it). A retry under the same
 * key answers the stored result; the same key with another body is a 409.
 */
@ApplicationScoped
public class ChargeService {

    static final String OPERATION = "charge";

    @Inject
    Ledger ledger;

    @Inject
    UsageRecorder usageRecorder;

    @Inject
    PriceList priceList;

    @Inject
    Transactions transactions;

    public Charged charge(String userId, IdempotencyKey key, ChargeRequest request, RequestOrigin origin) {
        String requestHash = RequestHash.of(OPERATION, request.withoutRequestId());
        try {
            return transactions.inNewTransaction(() -> chargeOnce(userId, key, requestHash, request, origin));
        } catch (DuplicateRequestException e) {
            return transactions.inNewTransaction(() -> replay(userId, key, requestHash));
        }
    }

    private Charged chargeOnce(String userId, IdempotencyKey key, String requestHash, ChargeRequest request,
            RequestOrigin origin) {
        Price price = priceList.current(request.model());
        Usage usage = request.usage().toUsage();
        Millicredits cost = Pricing.charge(price, usage);
        UsageRow call = new UsageRow(userId, key.value(), request.model(), request.characterId(),
                request.conversationId(), usage, Boolean.TRUE.equals(request.estimated()), price, cost, null);
        // The usage row is written by the charge's own statement: one round trip.
        LedgerEntry entry = ledger.charge(userId, cost,
                Mutation.byUser(userId, key.value(), requestHash, origin.clientIp(), origin.userAgent()),
                usageRecorder.linkedRow(call));
        return new Charged(response(entry, entry.usageId(), key.value(), request.model(), cost), false);
    }

    private Charged replay(String userId, IdempotencyKey key, String requestHash) {
        LedgerEntry entry = ledger.findByKey(userId, key.value())
                .orElseThrow(IdempotencyConflictException::new);
        if (!requestHash.equals(entry.requestHash()) || entry.usageId() == null) {
            throw new IdempotencyConflictException();
        }
        UsageRecorder.Recorded usage = usageRecorder.find(entry.usageId());
        return new Charged(response(entry, usage.id(), key.value(), usage.model(), Millicredits.of(usage.costMillicredits())),
                true);
    }

    private static ChargeResponse response(LedgerEntry entry, long usageId, String requestId, String model,
            Millicredits cost) {
        return new ChargeResponse(entry.id(), usageId, requestId, model, cost.value(), cost.credits(),
                BalanceSnapshot.of(entry.after()), entry.createdAt());
    }

    /** The answer to a charge request, and whether it was answered from a stored result. */
    public record Charged(ChargeResponse response, boolean replayed) {
    }
}
