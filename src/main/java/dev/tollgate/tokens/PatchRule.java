package dev.tollgate.tokens;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.Optional;

/**
 * The patch rule: an image costs {@code ceil(width / size) x ceil(height / size)} square patches, at
 * most {@code maxPatches} (a larger image is scaled down to fit), times the multiplier, rounded up
 * (in decimal). The detail does not matter.
 *
 * <ul>
 * <li>OpenAI ("Images and vision" guide, "Calculating costs"; GPT-4.1 mini and nano, o4-mini,
 * GPT-5 mini and nano): 32-px patches, at most 1536; multipliers 1.62 (GPT-4.1 mini, GPT-5 mini),
 * 2.46 (GPT-4.1 nano, GPT-5 nano), 1.72 (o4-mini). The guide's examples: 1024 x 1024 is
 * 32 x 32 = 1024 patches; 1800 x 2400 is 57 x 75 = 4275, over the budget, so it is scaled down and
 * comes to 1452.</li>
 * <li>Anthropic (Claude "Vision" docs): 28-px patches, one token each, after the image is resized
 * to the model's maximum (1568 px and about 1,600 tokens; 2576 px and 4784 tokens for the
 * high-resolution models).</li>
 * </ul>
 *
 * <p>An image over the budget is counted at the budget rather than at the guide's scaled-down
 * count (1536 rather than 1452 patches for 1800 x 2400): the scaled image has no more patches than
 * the budget, and billed counts of such images have been observed at the budget itself. Scaling
 * only shrinks, so an image within the budget is counted exactly. An image of unknown size is
 * counted at the budget.
 */
record PatchRule(BigDecimal multiplier, int maxPatches, int patchSize) implements ImageRule {

    static final int DEFAULT_MAX_PATCHES = 1536;
    static final int DEFAULT_PATCH_SIZE = 32;
    static final int MAX_PATCHES = 1_000_000;
    static final int MAX_PATCH_SIZE = 4096;
    static final BigDecimal MAX_MULTIPLIER = BigDecimal.valueOf(100);

    PatchRule {
        Objects.requireNonNull(multiplier, "patch-multiplier");
        if (multiplier.signum() <= 0 || multiplier.compareTo(MAX_MULTIPLIER) > 0) {
            throw new IllegalArgumentException("patch-multiplier must be above 0 and at most " + MAX_MULTIPLIER
                    + ", not " + multiplier.toPlainString());
        }
        ImageRule.checkPositive("max-patches", maxPatches, MAX_PATCHES);
        ImageRule.checkPositive("patch-size", patchSize, MAX_PATCH_SIZE);
    }

    @Override
    public long tokens(ImageDetail detail, Optional<ImageSize> size) {
        long patches = size.map(this::patches).orElse((long) maxPatches);
        return multiplier.multiply(BigDecimal.valueOf(patches)).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** The patches counted for the image: those covering it, at most the budget. */
    long patches(ImageSize size) {
        long covering = ceilDiv(size.width(), patchSize) * ceilDiv(size.height(), patchSize);
        return Math.min(covering, maxPatches);
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
