package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The image rules against the published worked examples, the maximum counted for an image of unknown
 * size, the choice of a rule by model name, and the configuration, including the shipped one.
 */
class ImageTokensTest {

    /** The rules as application.properties ships them, read through the configuration mappings. */
    static ImageTokens shippedRules() {
        URL properties = ImageTokensTest.class.getClassLoader().getResource("application.properties");
        assertThat(properties).as("application.properties on the classpath").isNotNull();
        try {
            return rules(new PropertiesConfigSource(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rules from the given properties, as the application reads them at start-up. */
    static ImageTokens rules(Map<String, String> properties) {
        return rules(new PropertiesConfigSource(properties, "test", 100));
    }

    private static ImageTokens rules(PropertiesConfigSource source) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(source)
                // Both mappings, and every key under their prefixes must belong to one of them.
                .withMapping(EstimationConfig.class)
                .withMapping(ImageTokensConfig.class)
                .withValidateUnknown(true)
                .build();
        return new ImageTokens(config.getConfigMapping(ImageTokensConfig.class));
    }

    private static final ImageTokens shipped = shippedRules();

    private static long tokens(String model, ImageDetail detail, int width, int height) {
        return shipped.tokens(model, new ImagePart(detail, Optional.of(new ImageSize(width, height)))).orElseThrow();
    }

    private static long unknownSizeTokens(String model, ImageDetail detail) {
        return shipped.tokens(model, new ImagePart(detail, Optional.empty())).orElseThrow();
    }

    // Tiles: OpenAI's worked examples.

    @Test
    void aSquareOf1024AtHighDetailIs765TokensOnGpt4o() {
        // No first resize; shortest side 1024 -> 768 x 768; 4 tiles: 85 + 4 x 170.
        assertThat(TileRule.tiles(new ImageSize(1024, 1024))).isEqualTo(4);
        assertThat(tokens("gpt-4o", ImageDetail.HIGH, 1024, 1024)).isEqualTo(765);
    }

    @Test
    void anImageOf2048By4096AtHighDetailIs1105TokensOnGpt4o() {
        // Fitted into 2048: 1024 x 2048; shortest side -> 768 x 1536; 6 tiles: 85 + 6 x 170.
        assertThat(TileRule.tiles(new ImageSize(2048, 4096))).isEqualTo(6);
        assertThat(tokens("gpt-4o", ImageDetail.HIGH, 2048, 4096)).isEqualTo(1105);
        assertThat(tokens("gpt-4o", ImageDetail.HIGH, 4096, 2048)).isEqualTo(1105);
    }

    @Test
    void lowDetailCostsTheBaseWhateverTheSize() {
        assertThat(tokens("gpt-4o", ImageDetail.LOW, 4096, 8192)).isEqualTo(85);
        assertThat(tokens("gpt-4o", ImageDetail.LOW, 1, 1)).isEqualTo(85);
        assertThat(unknownSizeTokens("gpt-4o", ImageDetail.LOW)).isEqualTo(85);
        assertThat(unknownSizeTokens("gpt-4o-mini", ImageDetail.LOW)).isEqualTo(2833);
        assertThat(unknownSizeTokens("o3", ImageDetail.LOW)).isEqualTo(75);
        assertThat(unknownSizeTokens("gpt-5", ImageDetail.LOW)).isEqualTo(70);
    }

    @Test
    void autoDetailIsCountedAsHigh() {
        for (String model : new String[] { "gpt-4o", "gpt-4o-mini", "o1", "gpt-5", "gpt-4.1-mini", "claude-sonnet-4-5" }) {
            for (int[] size : new int[][] { { 1, 1 }, { 1024, 1024 }, { 2048, 4096 }, { 513, 512 }, { 30000, 20 } }) {
                assertThat(tokens(model, ImageDetail.AUTO, size[0], size[1])).as("%s %dx%d", model, size[0], size[1])
                        .isEqualTo(tokens(model, ImageDetail.HIGH, size[0], size[1]));
            }
            assertThat(unknownSizeTokens(model, ImageDetail.AUTO)).isEqualTo(unknownSizeTokens(model, ImageDetail.HIGH));
        }
    }

    @Test
    void tilesAreCountedPerModel() {
        // 1024 x 1024 is 4 tiles everywhere.
        assertThat(tokens("gpt-4o-mini", ImageDetail.HIGH, 1024, 1024)).isEqualTo(2833 + 4 * 5667);
        assertThat(tokens("gpt-4.1", ImageDetail.HIGH, 1024, 1024)).isEqualTo(765);
        assertThat(tokens("o1", ImageDetail.HIGH, 1024, 1024)).isEqualTo(75 + 4 * 150);
        assertThat(tokens("gpt-5", ImageDetail.HIGH, 1024, 1024)).isEqualTo(70 + 4 * 140);
        assertThat(tokens("computer-use-preview", ImageDetail.HIGH, 1024, 1024)).isEqualTo(65 + 4 * 129);
    }

    @ParameterizedTest(name = "{0} x {1}: {2} tiles")
    @CsvSource({ "128, 64, 1", "512, 512, 1", "513, 500, 2", "513, 513, 4", "1, 1, 1" })
    void scalingNeverEnlargesAnImage(int width, int height, int tiles) {
        assertThat(TileRule.tiles(new ImageSize(width, height))).isEqualTo(tiles);
    }

    // 2049 x 513 fits as 2048 x 512.75: billed 8 tiles. 2050 x 513 fits as 2048 x 512.5, billed 4
    // (rounded to the nearest); counted 8 here, never fewer than billed.
    @ParameterizedTest(name = "{0} x {1}: {2} tiles")
    @CsvSource({ "2049, 513, 8", "2050, 513, 8", "2048, 512, 4", "4096, 1024, 4" })
    void scaledSidesAreCoveredRoundedUp(int width, int height, int tiles) {
        assertThat(TileRule.tiles(new ImageSize(width, height))).isEqualTo(tiles);
    }

    @Test
    void extremeSizesStayWithinTheMaximum() {
        assertThat(TileRule.tiles(new ImageSize(Integer.MAX_VALUE, Integer.MAX_VALUE))).isEqualTo(4);
        assertThat(TileRule.tiles(new ImageSize(Integer.MAX_VALUE, 1))).isEqualTo(4);
        assertThat(TileRule.tiles(new ImageSize(1, Integer.MAX_VALUE))).isEqualTo(4);
        assertThat(TileRule.tiles(new ImageSize(Integer.MAX_VALUE / 3, Integer.MAX_VALUE / 8))).isEqualTo(8);
        assertThat(tokens("gpt-4o-mini", ImageDetail.HIGH, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(2833 + 4 * 5667);
    }

    // Tiles: an image of unknown size.

    @Test
    void anImageOfUnknownSizeIsCountedAtEightTiles() {
        assertThat(TileRule.MAX_TILES).isEqualTo(8);
        assertThat(TileRule.tiles(new ImageSize(768, 2048))).as("the worst aspect ratio after scaling").isEqualTo(8);
        assertThat(unknownSizeTokens("gpt-4o", ImageDetail.HIGH)).isEqualTo(85 + 8 * 170);
        assertThat(unknownSizeTokens("gpt-4o-mini", ImageDetail.HIGH)).isEqualTo(2833 + 8 * 5667);
        assertThat(unknownSizeTokens("o3", ImageDetail.HIGH)).isEqualTo(75 + 8 * 150);
        assertThat(unknownSizeTokens("gpt-5", ImageDetail.HIGH)).isEqualTo(70 + 8 * 140);
    }

    @Test
    void noSizeInAGridCoversMoreThanEightTiles() {
        long most = 0;
        int checked = 0;
        for (int width = 1; width <= 6200; width += width < 1100 ? 7 : 61) {
            for (int height = 1; height <= 6200; height += height < 1100 ? 7 : 61) {
                long tiles = TileRule.tiles(new ImageSize(width, height));
                assertThat(tiles).as("%dx%d", width, height).isBetween(1L, 8L);
                most = Math.max(most, tiles);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(50_000);
        assertThat(most).as("the grid reaches the maximum").isEqualTo(8);
    }

    // Patches: OpenAI's worked examples.

    @Test
    void aSquareOf1024Is1024Patches() {
        PatchRule gpt41Mini = new PatchRule(new BigDecimal("1.62"), 1536, 32);
        assertThat(gpt41Mini.patches(new ImageSize(1024, 1024))).isEqualTo(32 * 32);
        // 1024 x 1.62 = 1658.88, rounded up.
        assertThat(tokens("gpt-4.1-mini", ImageDetail.HIGH, 1024, 1024)).isEqualTo(1659);
        assertThat(tokens("gpt-4.1-nano", ImageDetail.HIGH, 1024, 1024)).isEqualTo(2520); // 2519.04
        assertThat(tokens("o4-mini", ImageDetail.HIGH, 1024, 1024)).isEqualTo(1762); // 1761.28
    }

    @Test
    void anImageOverTheBudgetIsCountedAtTheBudgetNotBelowTheGuidesScaledCount() {
        // 1800 x 2400 needs 57 x 75 = 4275 patches; the guide scales it to 1056 x 1408, 33 x 44 = 1452.
        assertThat(GuideScaling.patches(1800, 2400, 1536)).isEqualTo(1452);
        PatchRule gpt41Mini = new PatchRule(new BigDecimal("1.62"), 1536, 32);
        assertThat(gpt41Mini.patches(new ImageSize(1800, 2400))).isEqualTo(1536).isGreaterThanOrEqualTo(1452);
        assertThat(tokens("gpt-4.1-mini", ImageDetail.HIGH, 1800, 2400)).isEqualTo(2489); // 1536 x 1.62 = 2488.32
    }

    @Test
    void theDetailDoesNotChangeAPatchCount() {
        for (ImageDetail detail : ImageDetail.values()) {
            assertThat(tokens("gpt-4.1-mini", detail, 1024, 1024)).isEqualTo(1659);
            assertThat(unknownSizeTokens("gpt-5-nano", detail)).isEqualTo(3779); // 1536 x 2.46 = 3778.56
        }
    }

    @Test
    void patchTokensAreRoundedUpInDecimalNotInBinaryFloatingPoint() {
        // 480 x 320 is 15 x 10 = 150 patches; 150 x 1.62 = 243 exactly, 243.00000000000003 in double.
        assertThat(150 * 1.62).isGreaterThan(243);
        assertThat(tokens("gpt-4.1-mini", ImageDetail.HIGH, 480, 320)).isEqualTo(243);
        assertThat(tokens("gpt-4.1-mini", ImageDetail.HIGH, 481, 320)).isEqualTo(260); // 160 x 1.62 = 259.2
    }

    @Test
    void anImageOfUnknownSizeIsCountedAtTheBudget() {
        assertThat(unknownSizeTokens("gpt-4.1-mini", ImageDetail.HIGH)).isEqualTo(2489);
        assertThat(unknownSizeTokens("o4-mini", ImageDetail.HIGH)).isEqualTo(2642); // 2641.92
        assertThat(unknownSizeTokens("gpt-5.4", ImageDetail.HIGH)).isEqualTo(3000); // 2500 x 1.2
        for (int width = 1; width <= 6000; width += 37) {
            for (int height = 1; height <= 6000; height += 41) {
                assertThat(tokens("gpt-4.1-mini", ImageDetail.HIGH, width, height)).isLessThanOrEqualTo(2489);
            }
        }
    }

    // Patches: Claude.

    @Test
    void claudeCountsTwentyEightPixelPatches() {
        // Anthropic's table: 1000 x 1000 is 36 x 36 = 1296 visual tokens.
        assertThat(tokens("claude-sonnet-4-5", ImageDetail.HIGH, 1000, 1000)).isEqualTo(1296);
        assertThat(tokens("claude-sonnet-4-5", ImageDetail.HIGH, 200, 200)).isEqualTo(64);
        assertThat(tokens("claude-sonnet-4-5", ImageDetail.HIGH, 1092, 1092)).isEqualTo(39 * 39);
        // A partial patch counts whole: more than width x height / 750 for small or odd sizes.
        assertThat(tokens("claude-sonnet-4-5", ImageDetail.HIGH, 29, 29)).isEqualTo(4);
    }

    @Test
    void claudeImagesAreCappedByTheModelsResolution() {
        assertThat(tokens("claude-sonnet-4-5", ImageDetail.HIGH, 4000, 3000)).isEqualTo(1600);
        assertThat(unknownSizeTokens("claude-haiku-4-5", ImageDetail.HIGH)).isEqualTo(1600);
        assertThat(tokens("claude-opus-4-7", ImageDetail.HIGH, 4000, 3000)).isEqualTo(4784);
        assertThat(tokens("claude-opus-4-7", ImageDetail.HIGH, 2000, 1000)).isEqualTo(72 * 36);
        assertThat(unknownSizeTokens("claude-opus-4-7", ImageDetail.HIGH)).isEqualTo(4784);
    }

    // The rule of a model.

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "gpt-4o, 1445", // 85 + 8 x 170: the most an image of unknown size costs
            "gpt-4o-2024-11-20, 1445",
            "GPT-4o, 1445",
            "openai/gpt-4o, 1445",
            "chatgpt-4o-latest, 1445",
            "gpt-4-turbo-2024-04-09, 1445",
            "gpt-4o-mini, 48169", // its own rule, not gpt-4o's: 2833 + 8 x 5667
            "gpt-4o-mini-2024-07-18, 48169",
            "gpt-4.1, 1445",
            "gpt-4.1-2025-04-14, 1445",
            "gpt-4.1-mini, 2489", // patches, not gpt-4.1's tiles: 1536 x 1.62
            "gpt-4.1-mini-2025-04-14, 2489",
            "gpt-4.1-nano, 3779",
            "gpt-4.5-preview, 1445",
            "o1, 1275", // 75 + 8 x 150
            "o1-pro, 1275",
            "o3, 1275",
            "o4-mini, 2642",
            "gpt-5, 1190", // 70 + 8 x 140
            "gpt-5-chat-latest, 1190",
            "gpt-5-mini, 2489",
            "gpt-5-nano-2025-08-07, 3779",
            "gpt-5.1, 1190",
            "gpt-5.1-codex, 1190",
            "gpt-5.2, 3000", // 2500 x 1.2
            "gpt-5.4, 3000",
            "gpt-5.5, 3000",
            "gpt-5.4-mini, 4050", // 2500 x 1.62
            "gpt-5.4-nano, 6150",
            "computer-use-preview, 1097",
            "claude-3-5-sonnet-20241022, 1600",
            "claude-3-haiku, 1600",
            "claude-sonnet-4-20250514, 1600",
            "claude-sonnet-4-0, 1600",
            "claude-sonnet-4-5-20250929, 1600",
            "anthropic/claude-sonnet-4.5, 1600",
            "claude-sonnet-4-6, 1600",
            "claude-opus-4-1-20250805, 1600",
            "claude-opus-4-6, 1600",
            "claude-haiku-4-5-20251001, 1600",
            "claude-opus-4-7, 4784", // high resolution
            "anthropic/claude-opus-4.7, 4784",
            "claude-sonnet-5, 4784", // not listed: the larger maximum
            "claude-sonnet-4, 4784",
    })
    void theLongestPrefixOfTheModelNameChoosesTheRule(String model, long unknownSizeTokens) {
        assertThat(unknownSizeTokens(model, ImageDetail.HIGH)).isEqualTo(unknownSizeTokens);
    }

    @ParameterizedTest
    @ValueSource(strings = { "gpt-4", "gpt-4-0613", "gpt-3.5-turbo", "llama-3.1-70b", "mistral-large", "gemini-2.5-pro",
            "deepseek-chat", "anthropic.claude-3-5-sonnet-20240620-v1:0", "" })
    void aModelWithoutARuleHasNoCount(String model) {
        ImagePart image = new ImagePart(ImageDetail.LOW, Optional.of(new ImageSize(10, 10)));
        assertThat(shipped.tokens(model, image)).isEmpty();
        assertThat(shipped.ruleFor(model)).isEmpty();
    }

    // Detail and parts.

    @Test
    void theDetailOfARequestIsParsedAsTheProviderDoes() {
        assertThat(ImageDetail.parse("low")).contains(ImageDetail.LOW);
        assertThat(ImageDetail.parse("high")).contains(ImageDetail.HIGH);
        assertThat(ImageDetail.parse("auto")).contains(ImageDetail.AUTO);
        assertThat(ImageDetail.parse(null)).as("absent").contains(ImageDetail.AUTO);
        assertThat(ImageDetail.parse("original")).isEmpty();
        assertThat(ImageDetail.parse("LOW")).isEmpty();
        assertThat(ImageDetail.parse("")).isEmpty();
    }

    @Test
    void aPartReadsTheSizeOfAnInlineImageAndNeverFetchesAUrl() {
        String png = ImageSizeTest.dataUrl("image/png", ImageSizeTest.written("png", 1024, 1024));
        ImagePart inline = ImagePart.of(png, "high").orElseThrow();
        assertThat(inline).isEqualTo(new ImagePart(ImageDetail.HIGH, Optional.of(new ImageSize(1024, 1024))));
        assertThat(shipped.tokens("gpt-4o", inline)).hasValue(765);

        ImagePart byUrl = ImagePart.of("https://example.com/cat.png", null).orElseThrow();
        assertThat(byUrl).isEqualTo(new ImagePart(ImageDetail.AUTO, Optional.empty()));
        assertThat(shipped.tokens("gpt-4o", byUrl)).hasValue(1445);

        assertThat(ImagePart.of(png, "original")).isEmpty();
        assertThatThrownBy(() -> new ImagePart(null, Optional.empty())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ImagePart(ImageDetail.LOW, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void nullArgumentsAreRefused() {
        ImagePart image = new ImagePart(ImageDetail.LOW, Optional.empty());
        assertThatThrownBy(() -> shipped.tokens(null, image)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shipped.tokens("gpt-4o", null)).isInstanceOf(NullPointerException.class);
    }

    // Configuration.

    @Test
    void thePatchKeysHaveDefaults() {
        ImageTokens onlySize = rules(Map.of("tollgate.estimation.images.\"claude\".patch-size", "28"));
        assertThat(onlySize.ruleFor("claude-x")).contains(new PatchRule(BigDecimal.ONE, 1536, 28));
        ImageTokens onlyMultiplier = rules(Map.of("tollgate.estimation.images.\"gpt-4.1-mini\".patch-multiplier", "1.62"));
        assertThat(onlyMultiplier.ruleFor("gpt-4.1-mini")).contains(new PatchRule(new BigDecimal("1.62"), 1536, 32));
        assertThat(onlyMultiplier.ruleFor("gpt-4.1")).as("a longer key is not a prefix of a shorter name").isEmpty();
    }

    @Test
    void aRuleMustBeOneKindAndComplete() {
        assertThatThrownBy(() -> rules(Map.of(
                "tollgate.estimation.images.\"gpt-4o\".tile-base-tokens", "85",
                "tollgate.estimation.images.\"gpt-4o\".tile-tokens", "170",
                "tollgate.estimation.images.\"gpt-4o\".max-patches", "1536")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tollgate.estimation.images.\"gpt-4o\"").hasMessageContaining("one rule");
        assertThatThrownBy(() -> rules(Map.of("tollgate.estimation.images.\"gpt-4o\".tile-tokens", "170")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tile-base-tokens");
        assertThatThrownBy(() -> rules(Map.of("tollgate.estimation.images.\"gpt-4o\".tile-base-tokens", "85")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tile-tokens");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "tile-base-tokens, 0",
            "tile-base-tokens, -85",
            "tile-tokens, 0",
            "tile-tokens, 1000001",
            "patch-multiplier, 0",
            "patch-multiplier, -1.62",
            "patch-multiplier, 100.01",
            "max-patches, 0",
            "patch-size, 0",
            "patch-size, 4097",
    })
    void aNumberOutOfBoundsIsRefusedWithItsKey(String key, String value) {
        Map<String, String> properties = new HashMap<>();
        properties.put("tollgate.estimation.images.\"m\"." + key, value);
        if (key.startsWith("tile")) {
            String other = key.equals("tile-tokens") ? "tile-base-tokens" : "tile-tokens";
            properties.put("tollgate.estimation.images.\"m\"." + other, "100");
        }
        assertThatThrownBy(() -> rules(properties)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tollgate.estimation.images.\"m\"").hasMessageContaining(key);
    }

    @Test
    void aPrefixConfiguredTwiceIsRefused() {
        assertThatThrownBy(() -> rules(Map.of(
                "tollgate.estimation.images.\"gpt-4o\".patch-multiplier", "1",
                "tollgate.estimation.images.\"GPT-4o\".patch-multiplier", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> new ImageTokens(Map.of(" ", new TileRule(85, 170)))).isInstanceOf(IllegalArgumentException.class);
        Map<String, ImageRule> withNull = new HashMap<>();
        withNull.put("gpt-4o", null);
        assertThatThrownBy(() -> new ImageTokens(withNull)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anUnknownKeyUnderThePrefixIsRefused() {
        assertThatThrownBy(() -> rules(Map.of(
                "tollgate.estimation.images.\"gpt-4o\".tile-base-tokens", "85",
                "tollgate.estimation.images.\"gpt-4o\".tile-tokens", "170",
                "tollgate.estimation.images.\"gpt-4o\".tile-token", "170")))
                .hasMessageContaining("tile-token");
    }

    @Test
    void noRulesAreConfiguredInCode() {
        ImageTokens none = rules(Map.of());
        assertThat(none.tokens("gpt-4o", new ImagePart(ImageDetail.LOW, Optional.empty()))).isEmpty();
    }

    /** OpenAI's scaling of an image over the patch budget, as the guide computes it (for comparison only). */
    static final class GuideScaling {

        static long patches(int width, int height, int budget) {
            long covering = ceil(width, 32) * ceil(height, 32);
            if (covering <= budget) {
                return covering;
            }
            double shrink = Math.sqrt(32.0 * 32.0 * budget / ((double) width * height));
            double widthPatches = width * shrink / 32;
            double heightPatches = height * shrink / 32;
            double adjusted = shrink * Math.min(Math.floor(widthPatches) / widthPatches, Math.floor(heightPatches) / heightPatches);
            long resizedWidth = Math.max(1, (long) Math.floor(width * adjusted));
            long resizedHeight = Math.max(1, (long) Math.floor(height * adjusted));
            return Math.min(budget, ceil(resizedWidth, 32) * ceil(resizedHeight, 32));
        }

        /** The guide's tiles: scaled in floating point, sides rounded to the nearest pixel. */
        static long tiles(int width, int height) {
            double w = width;
            double h = height;
            if (w > 2048 || h > 2048) {
                double scale = 2048 / Math.max(w, h);
                w *= scale;
                h *= scale;
            }
            if (Math.min(w, h) > 768) {
                double scale = 768 / Math.min(w, h);
                w *= scale;
                h *= scale;
            }
            return ceil(Math.round(w), 512) * ceil(Math.round(h), 512);
        }

        private static long ceil(long dividend, long divisor) {
            return (dividend + divisor - 1) / divisor;
        }
    }
}
