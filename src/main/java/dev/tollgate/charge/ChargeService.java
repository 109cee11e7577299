package dev.tollgate.charge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.BalanceSnapshot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.Mutation;
import dev.tollgate.ledger.Operation;
import dev.tollgate.ledger.Payer;
import dev.tollgate.metering.UsageRow;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.platform.idempotency.Answer;
import dev.tollgate.platform.idempotency.IdempotencyKey;
import dev.tollgate.platform.idempotency.IdempotentMutations;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.idempotency.Repeat;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;

/**
 * Charges a call that another backend made: records its usage and charges its price in one
 * transaction, or changes nothing (402 if the account cannot cover it, or on a team pool if the
 * member's cap would be passed). A retry under the same key answers the stored result; the same
 * key with another body is a 409. The concurrent charges of one account (a hot team pool above
 * all) share a transaction and its commit (group commit, {@code IdempotentMutations#applyShared}).
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
    IdempotentMutations mutations;

    public Answer<ChargeResponse> charge(Payer payer, IdempotencyKey key, ChargeRequest request,
            RequestOrigin origin) {
        IdempotentRequest charge = IdempotentRequest.of(key, payer.fingerprinted(OPERATION), request.withoutRequestId());
        return mutations.applyShared(payer.accountId(), () -> chargeOnce(payer, charge, request, origin),
                Repeat.replayed(charge, storedKey -> ledger.findByKey(payer.accountId(), storedKey),
                        entry -> entry.operation() == Operation.CHARGE && entry.usageId() != null,
                        entry -> replay(entry, charge.key())));
    }

    private ChargeResponse chargeOnce(Payer payer, IdempotentRequest charge, ChargeRequest request,
            RequestOrigin origin) {
        Price price = priceList.current(request.model());
        Usage usage = request.usage().toUsage();
        Millicredits cost = Pricing.cost(price, usage);
        UsageRow call = new UsageRow(payer.accountId(), charge.key(), request.model(), request.characterId(),
                request.conversationId(), usage, Boolean.TRUE.equals(request.estimated()), price, cost, null,
                payer.memberId());
        // The usage row is written by the charge's own statement: one round trip.
        LedgerEntry entry = ledger.charge(payer.accountId(), cost,
                Mutation.byPayer(payer, charge.key(), charge.requestHash(), origin.clientIp(), origin.userAgent()),
                usageRecorder.linkedRow(call));
        return response(entry, entry.usageId(), charge.key(), request.model(), cost);
    }

    /** The stored charge's answer: its usage row may have been archived since. */
    private ChargeResponse replay(LedgerEntry entry, String requestId) {
        UsageRecorder.Recorded usage = usageRecorder.find(entry.usageId());
        return response(entry, usage.id(), requestId, usage.model(), Millicredits.of(usage.costMillicredits()));
    }

    private static ChargeResponse response(LedgerEntry entry, long usageId, String requestId, String model,
            Millicredits cost) {
        return new ChargeResponse(entry.id(), usageId, requestId, model, cost.value(), cost.credits(),
                BalanceSnapshot.of(entry.after()), entry.createdAt());
    }
}
