package dev.tollgate.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.Pricing;
import dev.tollgate.pricing.Usage;
import dev.tollgate.tokens.ChatMessage;
import dev.tollgate.tokens.EstimationConfig;
import dev.tollgate.tokens.TokenEstimator;

/**
 * What a prospective call may cost at most: its prompt counted with the model's tokenizer and the
 * whole output budget, each priced at the dearest bucket it can be billed in, plus the buffer,
 * rounded up once. Also the inverse: the largest output
 * budget an available balance can cover, used to cap {@code max_tokens} so that a call can never
 * run past the credits held for it.
 */
@ApplicationScoped
public class CostEstimator {

    /** 10^6 tokens per price unit × 100 percent / 1,000 millicredits per credit. */
    private static final BigDecimal PER_MILLION_SCALE = BigDecimal.valueOf(100_000);
    private static final BigDecimal ONE_HUNDRED = BigDecimal.valueOf(100);

    @Inject
    TokenEstimator tokens;

    @Inject
    EstimationConfig config;

    /** A priced estimate of a call. */
    public record Estimate(Price price, long promptTokens, long maxOutputTokens, Millicredits amount) {
    }

    public Estimate estimate(Price price, List<ChatMessage> messages, Integer maxOutputTokens) {
        return estimate(price, tokens.promptTokens(price.model(), messages), outputBudget(maxOutputTokens));
    }

    /** The output budget of a call: the one it names, else {@code tollgate.estimation.default-max-output-tokens}. */
    public long outputBudget(Integer maxOutputTokens) {
        return maxOutputTokens != null ? maxOutputTokens : config.defaultMaxOutputTokens();
    }

    public Estimate estimate(Price price, long promptTokens, long maxOutputTokens) {
        return new Estimate(price, promptTokens, maxOutputTokens,
                Pricing.estimate(price, worstCase(price, promptTokens, maxOutputTokens), config.bufferPercent()));
    }

    /**
     * The largest output budget whose estimate, with this prompt, fits in {@code available};
     * 0 if not even one output token fits. Exact: estimate(prompt, result) ≤ available, and
     * estimate(prompt, result + 1) > available.
     */
    public long affordableOutputTokens(Price price, long promptTokens, Millicredits available) {
        // estimate = ceil((prompt·pin + out·pout) / 10^6 · (100 + buffer) / 100 · 1000) ≤ A, A whole,
        // ⇔ prompt·pin + out·pout ≤ A · 100,000 / (100 + buffer)      (prices in credits per 1M tokens)
        BigDecimal spendable = BigDecimal.valueOf(available.value()).multiply(PER_MILLION_SCALE)
                .divide(ONE_HUNDRED.add(BigDecimal.valueOf(config.bufferPercent())), 12, RoundingMode.FLOOR);
        BigDecimal left = spendable.subtract(dearestInputPrice(price).multiply(BigDecimal.valueOf(promptTokens)));
        if (left.signum() <= 0) {
            return 0;
        }
        BigDecimal outputPrice = price.outputPerMillion().max(price.reasoningPerMillion());
        long budget = left.divide(outputPrice, 0, RoundingMode.FLOOR).longValueExact();
        // The quotient above is floored at 12 places: at most one step off the exact rule.
        for (int step = 0; step < 2 && budget > 0
                && estimate(price, promptTokens, budget).amount().compareTo(available) > 0; step++) {
            budget--;
        }
        return budget;
    }

    /**
     * The dearest way the provider can bill the call: the prompt may be written to its cache (priced
     * as cache writes) rather than read as plain input, and the output budget may be spent as
     * reasoning; each is priced at the dearer of the two.
     */
    private static Usage worstCase(Price price, long promptTokens, long maxOutputTokens) {
        boolean cacheWriteDearer = price.cacheWritePerMillion().compareTo(price.inputPerMillion()) > 0;
        boolean reasoningDearer = price.reasoningPerMillion().compareTo(price.outputPerMillion()) > 0;
        return new Usage(cacheWriteDearer ? 0 : promptTokens, 0, cacheWriteDearer ? promptTokens : 0,
                reasoningDearer ? 0 : maxOutputTokens, reasoningDearer ? maxOutputTokens : 0);
    }

    private static BigDecimal dearestInputPrice(Price price) {
        return price.inputPerMillion().max(price.cacheWritePerMillion());
    }
}
