package dev.tollgate.tokens;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * How a provider bills an image, as an upper bound: never fewer tokens than the provider's
 * published rule gives for the image, and for an image of unknown size the most the rule gives for
 * any image.
 */
sealed interface ImageRule permits TileRule, PatchRule {

    /** The most tokens the provider bills for one image of the detail and size (empty: unknown). */
    long tokens(ImageDetail detail, Optional<ImageSize> size);

    /**
     * The rule a prefix configures: tiles if it sets the tile keys, patches if it sets any patch key,
     * never both.
     *
     * @throws IllegalArgumentException naming the key, if the rule is incomplete, mixed or out of bounds
     */
    static ImageRule of(String prefix, ImageTokensConfig.Rule config) {
        String where = "tollgate.estimation.images.\"" + prefix + "\"";
        boolean tiles = config.tileBaseTokens().isPresent() || config.tileTokens().isPresent();
        boolean patches = config.patchMultiplier().isPresent() || config.maxPatches().isPresent()
                || config.patchSize().isPresent();
        if (tiles && patches) {
            throw new IllegalArgumentException(where + " mixes tile keys (tile-base-tokens, tile-tokens) with patch keys"
                    + " (patch-multiplier, max-patches, patch-size): a model is counted by one rule");
        }
        if (!tiles && !patches) {
            throw new IllegalArgumentException(where + " sets no rule: tile-base-tokens and tile-tokens, or"
                    + " patch-multiplier, max-patches and patch-size");
        }
        try {
            if (tiles) {
                if (config.tileBaseTokens().isEmpty() || config.tileTokens().isEmpty()) {
                    throw new IllegalArgumentException("a tile rule needs both tile-base-tokens and tile-tokens");
                }
                return new TileRule(config.tileBaseTokens().getAsInt(), config.tileTokens().getAsInt());
            }
            return new PatchRule(config.patchMultiplier().orElse(BigDecimal.ONE),
                    config.maxPatches().orElse(PatchRule.DEFAULT_MAX_PATCHES),
                    config.patchSize().orElse(PatchRule.DEFAULT_PATCH_SIZE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code value} if it is from 1 to {@code max}. */
    static int checkPositive(String key, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(key + " must be from 1 to " + max + ", not " + value);
        }
        return value;
    }
}
