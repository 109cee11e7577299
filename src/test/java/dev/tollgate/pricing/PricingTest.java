package dev.tollgate.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.money.Millicredits;

/**
 * Hand-computed examples with the seeded launch prices (V2__seed_model_pricing.sql), in credits
 * per 1M tokens. 1 credit = 1,000 millicredits.
 */
class PricingTest {

    /** gpt-4o-mini: input 15, cached 7.5, cache write 15, output 60; reasoning at the output price. */
    static final Price GPT_4O_MINI = price("gpt-4o-mini", "15.000", "7.500", "15.000", "60.000", "60.000");

    /** claude-sonnet-4: input 300, cached 30, cache write 375, output 1500. */
    static final Price CLAUDE_SONNET_4 = price("claude-sonnet-4", "300.000", "30.000", "375.000", "1500.000", "1500.000");

    /** A reasoning model whose reasoning tokens cost more than its output tokens. */
    static final Price REASONER = price("reasoner", "110.000", "27.500", "110.000", "440.000", "880.000");

    static Price price(String model, String input, String cached, String cacheWrite, String output, String reasoning) {
        return new Price(1L, model, new BigDecimal(input), new BigDecimal(cached), new BigDecimal(cacheWrite),
                new BigDecimal(output), new BigDecimal(reasoning));
    }

    static Usage input(long tokens) {
        return new Usage(tokens, 0, 0, 0, 0);
    }

    /** The exact price of the usage in credits, and what it costs: that price rounded up once, in millicredits. */
    static void assertPriced(Price price, Usage usage, String exactCredits, long millicredits) {
        assertThat(Pricing.exactCredits(price, usage)).isEqualByComparingTo(exactCredits);
        assertThat(Pricing.cost(price, usage)).isEqualTo(Millicredits.of(millicredits));
    }

    @Test
    void thousandUncachedInputTokensOfGpt4oMini() {
        // 1,000 x 15 / 1,000,000 = 0.015 credits = 15 millicredits, exactly.
        assertPriced(GPT_4O_MINI, input(1_000), "0.015", 15);
    }

    @Test
    void oneTokenIsRoundedUpToOneMillicredit() {
        // 1 x 15 / 1,000,000 = 0.000015 credits -> 0.015 millicredits -> 1 millicredit.
        assertPriced(GPT_4O_MINI, input(1), "0.000015", 1);
    }

    @Test
    void noTokensCostNothing() {
        Usage none = new Usage(0, 0, 0, 0, 0);
        assertThat(Pricing.cost(GPT_4O_MINI, none)).isEqualTo(Millicredits.ZERO);
        assertThat(Pricing.cost(CLAUDE_SONNET_4, none)).isEqualTo(Millicredits.ZERO);
        assertThat(Pricing.estimate(CLAUDE_SONNET_4, none, 20)).isEqualTo(Millicredits.ZERO);
    }

    @Test
    void eachBucketUsesItsOwnPrice() {
        // gpt-4o-mini, 1M tokens in one bucket each: the bucket's price in credits.
        assertThat(Pricing.cost(GPT_4O_MINI, new Usage(1_000_000, 0, 0, 0, 0))).isEqualTo(Millicredits.of(15_000));
        assertThat(Pricing.cost(GPT_4O_MINI, new Usage(0, 1_000_000, 0, 0, 0))).isEqualTo(Millicredits.of(7_500));
        assertThat(Pricing.cost(GPT_4O_MINI, new Usage(0, 0, 1_000_000, 0, 0))).isEqualTo(Millicredits.of(15_000));
        assertThat(Pricing.cost(GPT_4O_MINI, new Usage(0, 0, 0, 1_000_000, 0))).isEqualTo(Millicredits.of(60_000));
        // claude-sonnet-4
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(1_000_000, 0, 0, 0, 0))).isEqualTo(Millicredits.of(300_000));
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(0, 1_000_000, 0, 0, 0))).isEqualTo(Millicredits.of(30_000));
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(0, 0, 1_000_000, 0, 0))).isEqualTo(Millicredits.of(375_000));
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(0, 0, 0, 1_000_000, 0))).isEqualTo(Millicredits.of(1_500_000));
    }

    @Test
    void mixedUsageOfGpt4oMiniIsRoundedOncePerRequest() {
        // 1,234 x 15 + 567 x 7.5 + 89 x 60 = 18,510 + 4,252.5 + 5,340 = 28,102.5 per million
        // = 0.0281025 credits = 28.1025 millicredits -> 29.
        Usage usage = new Usage(1_234, 567, 0, 89, 0);
        assertPriced(GPT_4O_MINI, usage, "0.0281025", 29);
        // Rounding each bucket separately would give 19 + 5 + 6 = 30: one millicredit too many.
        long perBucket = Pricing.cost(GPT_4O_MINI, new Usage(1_234, 0, 0, 0, 0)).value()
                + Pricing.cost(GPT_4O_MINI, new Usage(0, 567, 0, 0, 0)).value()
                + Pricing.cost(GPT_4O_MINI, new Usage(0, 0, 0, 89, 0)).value();
        assertThat(perBucket).isEqualTo(30);
    }

    @Test
    void mixedUsageOfClaudeSonnet4() {
        // 1,000 x 300 + 500 x 30 + 200 x 375 + 300 x 1,500 = 300,000 + 15,000 + 75,000 + 450,000
        // = 840,000 per million = 0.84 credits = 840 millicredits, exactly.
        assertPriced(CLAUDE_SONNET_4, new Usage(1_000, 500, 200, 300, 0), "0.84", 840);
    }

    @Test
    void cachedTokensOfClaudeSonnet4HalfAMillicreditRoundsUp() {
        // 17 cached tokens x 30 = 510 per million = 0.00051 credits = 0.51 millicredits -> 1.
        assertPriced(CLAUDE_SONNET_4, new Usage(0, 17, 0, 0, 0), "0.00051", 1);
        // 34 cached tokens: 1.02 millicredits -> 2.
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(0, 34, 0, 0, 0))).isEqualTo(Millicredits.of(2));
    }

    @Test
    void reasoningIsPricedSeparately() {
        // 100 output x 440 + 1,000 reasoning x 880 = 44,000 + 880,000 = 924,000 per million
        // = 0.924 credits = 924 millicredits. (At the output price it would be 484.)
        assertPriced(REASONER, new Usage(0, 0, 0, 100, 1_000), "0.924", 924);
        assertThat(Pricing.cost(REASONER, new Usage(0, 0, 0, 0, 1))).isEqualTo(Millicredits.of(1));
        // 2,000 input x 110 + 1,000 cached x 27.5 + 1 reasoning x 880 = 220,000 + 27,500 + 880
        // = 248,380 per million = 248.38 millicredits -> 249.
        assertThat(Pricing.cost(REASONER, new Usage(2_000, 1_000, 0, 0, 1))).isEqualTo(Millicredits.of(249));
    }

    @Test
    void aMissingReasoningPriceBillsReasoningAtTheOutputPrice() {
        ModelPricing row = new ModelPricing();
        row.id = 7L;
        row.model = "gpt-4o-mini";
        row.inputCreditsPerMillion = new BigDecimal("15.000");
        row.cachedInputCreditsPerMillion = new BigDecimal("7.500");
        row.cacheWriteCreditsPerMillion = new BigDecimal("15.000");
        row.outputCreditsPerMillion = new BigDecimal("60.000");
        row.reasoningCreditsPerMillion = null;
        Price price = row.price();
        assertThat(price.reasoningPerMillion()).isEqualByComparingTo("60");
        // 1,000 reasoning tokens x 60 = 0.06 credits = 60 millicredits.
        assertThat(Pricing.cost(price, new Usage(0, 0, 0, 0, 1_000))).isEqualTo(Millicredits.of(60));

        row.reasoningCreditsPerMillion = new BigDecimal("120.000");
        assertThat(Pricing.cost(row.price(), new Usage(0, 0, 0, 0, 1_000))).isEqualTo(Millicredits.of(120));
    }

    @Test
    void estimateAddsTheBufferBeforeTheOnlyRounding() {
        // 1,000 input tokens of gpt-4o-mini: 15 millicredits x 1.2 = 18.
        assertThat(Pricing.estimate(GPT_4O_MINI, input(1_000), 20)).isEqualTo(Millicredits.of(18));
        // 1,000 output tokens of claude-sonnet-4: 1.5 credits x 1.2 = 1.8 credits.
        assertThat(Pricing.estimate(CLAUDE_SONNET_4, new Usage(0, 0, 0, 1_000, 0), 20)).isEqualTo(Millicredits.of(1_800));
        // 28.1025 millicredits x 1.2 = 33.723 -> 34.
        assertThat(Pricing.estimate(GPT_4O_MINI, new Usage(1_234, 567, 0, 89, 0), 20)).isEqualTo(Millicredits.of(34));
    }

    @Test
    void estimateRoundsOnceNotTwice() {
        // 1 input token of gpt-4o-mini: 0.000015 credits x 1.2 = 0.000018 credits = 0.018 millicredits -> 1.
        Millicredits once = Pricing.estimate(GPT_4O_MINI, input(1), 20);
        assertThat(once).isEqualTo(Millicredits.of(1));
        // Rounding the charge first and then the buffer would give ceil(1 x 1.2) = 2.
        BigDecimal charged = Pricing.cost(GPT_4O_MINI, input(1)).credits();
        Millicredits twice = Millicredits.roundUp(charged.multiply(new BigDecimal("1.2")));
        assertThat(twice).isEqualTo(Millicredits.of(2));
        assertThat(once).isNotEqualTo(twice);

        // 10 input tokens of claude-sonnet-4: 3 millicredits exactly; x 1.2 = 3.6 -> 4 either way.
        assertThat(Pricing.estimate(CLAUDE_SONNET_4, input(10), 20)).isEqualTo(Millicredits.of(4));
        // 11 input tokens: 3.3 millicredits x 1.2 = 3.96 -> 4 once; ceil(4 x 1.2) = ceil(4.8) = 5 twice.
        assertThat(Pricing.estimate(CLAUDE_SONNET_4, input(11), 20)).isEqualTo(Millicredits.of(4));
        assertThat(Pricing.cost(CLAUDE_SONNET_4, input(11))).isEqualTo(Millicredits.of(4));
        assertThat(Millicredits.roundUp(Pricing.cost(CLAUDE_SONNET_4, input(11)).credits().multiply(new BigDecimal("1.2"))))
                .isEqualTo(Millicredits.of(5));
    }

    @Test
    void estimateWithoutBufferIsTheCharge() {
        Usage usage = new Usage(1_234, 567, 0, 89, 0);
        assertThat(Pricing.estimate(GPT_4O_MINI, usage, 0)).isEqualTo(Pricing.cost(GPT_4O_MINI, usage));
        // 100 %: twice the exact price, rounded once: 56.205 -> 57.
        assertThat(Pricing.estimate(GPT_4O_MINI, usage, 100)).isEqualTo(Millicredits.of(57));
        // 7 %: 28.1025 x 1.07 = 30.069675 -> 31.
        assertThat(Pricing.estimate(GPT_4O_MINI, usage, 7)).isEqualTo(Millicredits.of(31));
    }

    @Test
    void largeUsageStaysExact() {
        // 10M output tokens of claude-sonnet-4: 15,000 credits = 15,000,000 millicredits.
        assertThat(Pricing.cost(CLAUDE_SONNET_4, new Usage(0, 0, 0, 10_000_000, 0))).isEqualTo(Millicredits.of(15_000_000));
        // 999,999 input tokens of gpt-4o-mini: 14.999985 credits -> 14,999.985 millicredits -> 15,000.
        assertThat(Pricing.cost(GPT_4O_MINI, input(999_999))).isEqualTo(Millicredits.of(15_000));
    }

    @Test
    void usageRejectsNegativeCounts() {
        assertThatThrownBy(() -> new Usage(-1, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(0, -1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(0, 0, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(0, 0, 0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(0, 0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Usage(1, 2, 3, 4, 5).total()).isEqualTo(15);
        assertThatThrownBy(() -> new Usage(Long.MAX_VALUE, 1, 0, 0, 0).total()).isInstanceOf(ArithmeticException.class);
    }
}
