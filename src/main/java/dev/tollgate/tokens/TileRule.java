package dev.tollgate.tokens;

import java.util.Optional;

/**
 * OpenAI's tile rule ("Images and vision" guide, "Calculating costs"; GPT-4o, GPT-4.1, GPT-4.5, o1,
 * o3, GPT-5, GPT-5.1): an image at detail {@code low} costs the base tokens; at {@code high} (and
 * {@code auto}, counted as high) it is scaled down to fit within 2048 x 2048, then down so that its
 * shortest side is 768 px, and costs the base plus the tile tokens for each 512-px square needed to
 * cover it. The guide's examples: 1024 x 1024 is 4 tiles (85 + 4 x 170 = 765 tokens on GPT-4o),
 * 2048 x 4096 is 6 (1105 tokens). Per model: GPT-4o, GPT-4.1, GPT-4.5 85 + 170; GPT-4o mini
 * 2833 + 5667; o1, o3 75 + 150; GPT-5 70 + 140 (application.properties).
 *
 * <p>Scaling never enlarges an image (a 128 x 64 image has been observed billed one tile). The
 * scaled sides are exact fractions and the tiles cover them rounded up: the provider rounds a side
 * to whole pixels (to the nearest, as observed: 2049 x 513 billed 8 tiles, 2050 x 513 billed 4),
 * never above its exact value rounded up, so this count is never below the provider's. With both sides within 2048 x 768 after scaling, an image is
 * at most 4 x 2 = {@link #MAX_TILES} tiles (768 x 2048 is exactly that): the count of an image of
 * unknown size.
 */
record TileRule(int baseTokens, int tileTokens) implements ImageRule {

    /** Upper bound of either number: far above any published one, and keeps every count in a long. */
    static final int MAX_TOKENS = 1_000_000;
    /** An image is scaled down to fit within a square of this side. */
    static final int FIT_SIDE = 2048;
    /** Then down so that its shortest side is no longer than this. */
    static final int SHORT_SIDE = 768;
    static final int TILE_SIDE = 512;
    static final int MAX_TILES = 8;

    TileRule {
        ImageRule.checkPositive("tile-base-tokens", baseTokens, MAX_TOKENS);
        ImageRule.checkPositive("tile-tokens", tileTokens, MAX_TOKENS);
    }

    @Override
    public long tokens(ImageDetail detail, Optional<ImageSize> size) {
        if (detail == ImageDetail.LOW) {
            return baseTokens;
        }
        long tiles = size.map(TileRule::tiles).orElse((long) MAX_TILES);
        return baseTokens + tiles * tileTokens;
    }

    /** The 512-px tiles covering the image once scaled, from 1 to {@link #MAX_TILES}. */
    static long tiles(ImageSize size) {
        long longSide = Math.max(size.width(), size.height());
        long shortSide = Math.min(size.width(), size.height());
        // Fitted into the square: the long side becomes fitted, the short one shortSide * fitted / longSide.
        long fitted = Math.min(longSide, FIT_SIDE);
        long tiles;
        if (shortSide * fitted > SHORT_SIDE * longSide) {
            // Then the short side becomes 768 and the long one 768 * longSide / shortSide.
            tiles = ceilDiv(SHORT_SIDE, TILE_SIDE) * ceilDiv(SHORT_SIDE * longSide, shortSide * TILE_SIDE);
        } else {
            tiles = ceilDiv(fitted, TILE_SIDE) * ceilDiv(shortSide * fitted, longSide * TILE_SIDE);
        }
        assert tiles >= 1 && tiles <= MAX_TILES : size + " covers " + tiles + " tiles";
        return tiles;
    }

    /** {@code ceil(dividend / divisor)} for a dividend of 0 or more and a positive divisor. */
    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
