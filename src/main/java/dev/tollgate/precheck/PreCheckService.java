package dev.tollgate.precheck;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.InsufficientCreditsException;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.PlansConfig;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceList;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;
import dev.tollgate.tokens.EstimationConfig;
import dev.tollgate.tokens.TokenEstimator;

/**
 * Estimates what a message will cost (prompt tokens and the whole output budget, priced, plus the
 * buffer) and says whether the caller can afford it. Changes no balance.
 */
@ApplicationScoped
public class PreCheckService {

    @Inject
    Ledger ledger;

    @Inject
    PriceList priceList;

    @Inject
    TokenEstimator estimator;

    @Inject
    EstimationConfig estimation;

    @Inject
    PlansConfig plans;

    @Inject
    Transactions transactions;

    public PreCheckResponse check(String userId, PreCheckRequest request) {
        return transactions.inNewTransaction(() -> {
            Price price = priceList.current(request.model());
            CreditAccount account = ledger.ensureAccount(userId);
            long promptTokens = estimator.promptTokens(contents(request));
            int maxOutput = request.maxOutputTokens() != null ? request.maxOutputTokens() : estimation.defaultMaxOutputTokens();
            // The output budget may be spent as reasoning: price it at the dearer of the two.
            boolean reasoningDearer = price.reasoningPerMillion().compareTo(price.outputPerMillion()) > 0;
            Usage worstCase = new Usage(promptTokens, 0, 0, reasoningDearer ? 0 : maxOutput, reasoningDearer ? maxOutput : 0);
            Millicredits estimate = Pricing.estimate(price, worstCase, estimation.bufferPercent());
            Millicredits available = Millicredits.of(account.balances().available());
            if (available.compareTo(estimate) < 0) {
                throw new InsufficientCreditsException(estimate, available, account.plan,
                        plans.catalog().containsKey(account.plan) && plans.plan(account.plan).upgradeHint());
            }
            return new PreCheckResponse(request.model(), promptTokens, maxOutput, estimate.value(), estimate.credits(),
                    available.value(), available.credits());
        });
    }

    private static List<String> contents(PreCheckRequest request) {
        return request.messages().stream().map(PreCheckRequest.Message::content).toList();
    }
}
