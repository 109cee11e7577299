package dev.tollgate.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import dev.tollgate.platform.money.Millicredits;

/**
 * Properties of the rounding rule over random prices and usages: a charge is the exact price
 * rounded up to the millicredit, never below it and less than one millicredit above it.
 */
class PricingPropertiesTest {

    private static final BigDecimal ONE_MILLICREDIT = new BigDecimal("0.001");
    private static final BigDecimal ONE_MILLION = BigDecimal.valueOf(1_000_000);

    /** The exact price, computed independently of {@link Pricing}. */
    private static BigDecimal exact(Price price, Usage usage) {
        BigDecimal sum = BigDecimal.ZERO;
        sum = sum.add(price.inputPerMillion().multiply(BigDecimal.valueOf(usage.uncachedInput())));
        sum = sum.add(price.cachedInputPerMillion().multiply(BigDecimal.valueOf(usage.cachedInput())));
        sum = sum.add(price.cacheWritePerMillion().multiply(BigDecimal.valueOf(usage.cacheWrite())));
        sum = sum.add(price.outputPerMillion().multiply(BigDecimal.valueOf(usage.output())));
        sum = sum.add(price.reasoningPerMillion().multiply(BigDecimal.valueOf(usage.reasoning())));
        return sum.divide(ONE_MILLION);
    }

    private static BigDecimal asCredits(Millicredits amount) {
        return BigDecimal.valueOf(amount.value()).divide(BigDecimal.valueOf(Millicredits.PER_CREDIT));
    }

    @Property(tries = 1_000)
    void chargeIsTheExactPriceRoundedUpToTheMillicredit(@ForAll("prices") Price price, @ForAll("usages") Usage usage) {
        BigDecimal exact = exact(price, usage);
        BigDecimal charged = asCredits(Pricing.cost(price, usage));

        assertThat(Pricing.exactCredits(price, usage)).isEqualByComparingTo(exact);
        assertThat(charged.compareTo(exact)).as("charge %s >= exact %s", charged, exact).isGreaterThanOrEqualTo(0);
        assertThat(charged.subtract(exact).compareTo(ONE_MILLICREDIT))
                .as("charge %s - exact %s < 0.001", charged, exact).isLessThan(0);
    }

    @Property(tries = 1_000)
    void chargeIsMonotoneInTokens(@ForAll("prices") Price price, @ForAll("usages") Usage usage,
            @ForAll("usages") Usage more) {
        Usage bigger = new Usage(usage.uncachedInput() + more.uncachedInput(), usage.cachedInput() + more.cachedInput(),
                usage.cacheWrite() + more.cacheWrite(), usage.output() + more.output(), usage.reasoning() + more.reasoning());

        assertThat(Pricing.cost(price, bigger)).isGreaterThanOrEqualTo(Pricing.cost(price, usage));
    }

    @Property(tries = 1_000)
    void chargeIsMonotoneInEachBucket(@ForAll("prices") Price price, @ForAll("usages") Usage usage,
            @ForAll @IntRange(min = 0, max = 4) int bucket, @ForAll @IntRange(min = 1, max = 10_000_000) int extra) {
        long[] counts = { usage.uncachedInput(), usage.cachedInput(), usage.cacheWrite(), usage.output(), usage.reasoning() };
        counts[bucket] += extra;
        Usage bigger = new Usage(counts[0], counts[1], counts[2], counts[3], counts[4]);

        assertThat(Pricing.cost(price, bigger)).isGreaterThanOrEqualTo(Pricing.cost(price, usage));
    }

    @Property(tries = 1_000)
    void estimateIsNeverBelowTheCharge(@ForAll("prices") Price price, @ForAll("usages") Usage usage,
            @ForAll @IntRange(min = 0, max = 1_000) int bufferPercent) {
        Millicredits estimate = Pricing.estimate(price, usage, bufferPercent);

        assertThat(estimate).isGreaterThanOrEqualTo(Pricing.cost(price, usage));
        // And it is the buffered exact price rounded up once.
        BigDecimal buffered = exact(price, usage).multiply(BigDecimal.valueOf(100L + bufferPercent)).divide(BigDecimal.valueOf(100));
        BigDecimal estimated = asCredits(estimate);
        assertThat(estimated.compareTo(buffered)).isGreaterThanOrEqualTo(0);
        assertThat(estimated.subtract(buffered).compareTo(ONE_MILLICREDIT)).isLessThan(0);
    }

    @Property(tries = 1_000)
    void estimateIsMonotoneInTheBuffer(@ForAll("prices") Price price, @ForAll("usages") Usage usage,
            @ForAll @IntRange(min = 0, max = 500) int bufferPercent, @ForAll @IntRange(min = 0, max = 500) int more) {
        assertThat(Pricing.estimate(price, usage, bufferPercent + more))
                .isGreaterThanOrEqualTo(Pricing.estimate(price, usage, bufferPercent));
    }

    @Provide
    Arbitrary<Price> prices() {
        Arbitrary<BigDecimal> perMillion = Arbitraries.bigDecimals()
                .between(BigDecimal.ZERO, BigDecimal.valueOf(5_000))
                .ofScale(6);
        return Combinators.combine(perMillion, perMillion, perMillion, perMillion, perMillion)
                .as((input, cached, cacheWrite, output, reasoning) -> new Price(1L, "model", input, cached, cacheWrite,
                        output, reasoning));
    }

    @Provide
    Arbitrary<Usage> usages() {
        Arbitrary<Long> tokens = Arbitraries.longs().between(0, 10_000_000);
        return Combinators.combine(tokens, tokens, tokens, tokens, tokens).as(Usage::new);
    }
}
