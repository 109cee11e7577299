package dev.tollgate.pricing;

import java.math.BigDecimal;

import dev.tollgate.platform.money.Millicredits;

/**
 * The price of usage, in exact decimals. A charge is the exact price rounded up to the next
 * millicredit, once per request ({@link Millicredits#roundUp}); an estimate is the exact price
 * times the buffer, rounded up the same way.
 */
public final class Pricing {

    private static final BigDecimal ONE_MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal ONE_HUNDRED = BigDecimal.valueOf(100);

    private Pricing() {
    }

    /** The exact price in credits; no rounding happens here. */
    public static BigDecimal exactCredits(Price price, Usage usage) {
        BigDecimal perMillion = price.inputPerMillion().multiply(BigDecimal.valueOf(usage.uncachedInput()))
                .add(price.cachedInputPerMillion().multiply(BigDecimal.valueOf(usage.cachedInput())))
                .add(price.cacheWritePerMillion().multiply(BigDecimal.valueOf(usage.cacheWrite())))
                .add(price.outputPerMillion().multiply(BigDecimal.valueOf(usage.output())))
                .add(price.reasoningPerMillion().multiply(BigDecimal.valueOf(usage.reasoning())));
        // Division by 10^6 is exact for a decimal: only the scale moves.
        return perMillion.divide(ONE_MILLION);
    }

    /** What a call with this usage costs, rounded up to the next millicredit: what it is charged. */
    public static Millicredits cost(Price price, Usage usage) {
        return Millicredits.roundUp(exactCredits(price, usage));
    }

    /** An estimate: the exact price plus the buffer, rounded up. */
    public static Millicredits estimate(Price price, Usage usage, int bufferPercent) {
        BigDecimal factor = ONE_HUNDRED.add(BigDecimal.valueOf(bufferPercent)).divide(ONE_HUNDRED);
        return Millicredits.roundUp(exactCredits(price, usage).multiply(factor));
    }
}
