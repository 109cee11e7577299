package dev.tollgate.tokens;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

/**
 * How the image parts of a prompt are counted: a rule per model-name prefix, under
 * {@code tollgate.estimation.images."<prefix>".*}, either tiles ({@code tile-base-tokens} and
 * {@code tile-tokens}) or patches ({@code patch-multiplier}, {@code max-patches},
 * {@code patch-size}), never both (checked at start-up). See {@link TileRule} and {@link PatchRule}
 * for the rules and their sources. A model that no prefix matches cannot have images counted.
 */
@ConfigMapping(prefix = "tollgate.estimation.images")
public interface ImageTokensConfig {

    /**
     * The rules by model-name prefix, for example {@code tollgate.estimation.images."gpt-4o".tile-tokens=170}
     * (a prefix with a dot is quoted). Keys and model names are compared in lower case, after any
     * provider prefix ({@code openai/…}), and the longest matching prefix wins, as for
     * {@code tollgate.estimation.families}. Default: none in code; application.properties ships the
     * OpenAI and Claude models.
     */
    @WithParentName
    Map<String, Rule> models();

    /** One prefix's rule. The tile keys have no default; a patch key left out takes its default. */
    interface Rule {

        /**
         * Tiles: the tokens of an image at detail {@code low}, and the base added to its tiles at
         * {@code high} or {@code auto}, such as {@code 85}. No default: set with {@code tile-tokens}.
         */
        OptionalInt tileBaseTokens();

        /** Tiles: the tokens of each 512-px tile at {@code high} or {@code auto}, such as {@code 170}. No default. */
        OptionalInt tileTokens();

        /** Patches: tokens per patch, a decimal such as {@code 1.62}; the product is rounded up. Default 1. */
        Optional<BigDecimal> patchMultiplier();

        /** Patches: the most patches counted for one image (a larger one is scaled down to fit). Default 1536. */
        OptionalInt maxPatches();

        /** Patches: the side of a square patch, in pixels (OpenAI 32, Anthropic 28). Default 32. */
        OptionalInt patchSize();
    }
}
