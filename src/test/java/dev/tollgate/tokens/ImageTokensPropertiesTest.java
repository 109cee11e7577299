package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import dev.tollgate.tokens.ImageTokensTest.GuideScaling;

/**
 * Properties of the image counts over random sizes, for every shipped model: an image of known size
 * never costs more than one of unknown size (the maximum really is one), and never less than the
 * guide's own computation.
 */
class ImageTokensPropertiesTest {

    private static final ImageTokens shipped = ImageTokensTest.shippedRules();
    private static final List<String> MODELS = List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
            "o1", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.4", "gpt-5.4-mini", "computer-use-preview",
            "claude-sonnet-4-5", "claude-opus-4-7");

    @Provide
    Arbitrary<ImageSize> sizes() {
        Arbitrary<Integer> side = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(1, 5000)),
                Tuple.of(2, Arbitraries.integers().between(1, 70_000)),
                Tuple.of(1, Arbitraries.integers().between(1, Integer.MAX_VALUE)))
                .edgeCases(edges -> edges.includeOnly(1, 512, 513, 768, 769, 1024, 1536, 2048, 2049, Integer.MAX_VALUE));
        return Combinators.combine(side, side).as(ImageSize::new);
    }

    @Provide
    Arbitrary<String> models() {
        return Arbitraries.of(MODELS);
    }

    @Property(tries = 3_000)
    void aKnownSizeNeverCostsMoreThanAnUnknownOne(@ForAll("models") String model, @ForAll("sizes") ImageSize size,
            @ForAll ImageDetail detail) {
        long known = shipped.tokens(model, new ImagePart(detail, Optional.of(size))).orElseThrow();
        long unknown = shipped.tokens(model, new ImagePart(detail, Optional.empty())).orElseThrow();

        assertThat(known).as("%s %s %s", model, detail, size).isPositive().isLessThanOrEqualTo(unknown);
    }

    @Property(tries = 3_000)
    void tilesAreNeverFewerThanTheGuidesAndNeverMoreThanEight(@ForAll("sizes") ImageSize size) {
        long tiles = TileRule.tiles(size);

        assertThat(tiles).isBetween(1L, (long) TileRule.MAX_TILES);
        assertThat(tiles).as(size.toString()).isGreaterThanOrEqualTo(GuideScaling.tiles(size.width(), size.height()));
    }

    @Property(tries = 3_000)
    void patchesAreNeverFewerThanTheGuidesScaledCountAndNeverOverTheBudget(@ForAll("sizes") ImageSize size) {
        PatchRule rule = new PatchRule(BigDecimal.ONE, 1536, 32);
        long patches = rule.patches(size);

        assertThat(patches).isBetween(1L, 1536L);
        assertThat(patches).as(size.toString()).isGreaterThanOrEqualTo(GuideScaling.patches(size.width(), size.height(), 1536));
    }
}
