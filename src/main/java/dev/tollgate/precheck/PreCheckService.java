package dev.tollgate.precheck;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.InsufficientCreditsException;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.PlansConfig;
import dev.tollgate.metering.CostEstimator;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.tokens.ChatMessage;

/**
 * Estimates what a message will cost (prompt tokens and the whole output budget, priced, plus the
 * buffer) and says whether the caller can afford it. Changes no balance. The estimate is made
 * before the transaction (counting a long prompt takes time) and with the prices of
 * {@link PriceList#forEstimate}, which survive a database that cannot be read.
 */
@ApplicationScoped
public class PreCheckService {

    @Inject
    Ledger ledger;

    @Inject
    PriceList priceList;

    @Inject
    CostEstimator costEstimator;

    @Inject
    PlansConfig plans;

    @Inject
    Transactions transactions;

    public PreCheckResponse check(String userId, PreCheckRequest request) {
        Price price = priceList.forEstimate(request.model());
        CostEstimator.Estimate estimate = costEstimator.estimate(price, messages(request), request.maxOutputTokens());
        CreditAccount account = transactions.inNewTransaction(() -> ledger.ensureAccount(userId));
        Millicredits available = Millicredits.of(account.balances().available());
        if (available.compareTo(estimate.amount()) < 0) {
            throw new InsufficientCreditsException(estimate.amount(), available, account.plan,
                    plans.upgradeHint(account.plan));
        }
        return new PreCheckResponse(request.model(), estimate.promptTokens(), Math.toIntExact(estimate.maxOutputTokens()),
                estimate.amount().value(), estimate.amount().credits(), available.value(), available.credits());
    }

    /** The request's messages as the model will see them; a pre-check message has no name. */
    private static List<ChatMessage> messages(PreCheckRequest request) {
        return request.messages().stream().map(message -> new ChatMessage(message.role(), message.content(), null)).toList();
    }
}
