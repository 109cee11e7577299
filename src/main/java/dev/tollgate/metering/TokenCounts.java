package dev.tollgate.metering;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import com.fasterxml.jackson.annotation.JsonIgnore;

import dev.tollgate.pricing.Usage;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The usage of a call in the pricing buckets, which do not overlap: {@code uncachedInputTokens}
 * excludes cached and cache-write tokens, {@code outputTokens} excludes reasoning tokens.
 */
// Inside requests that RequestHash fingerprints with its own ObjectMapper: registered for the native image.
@RegisterForReflection
public record TokenCounts(
        @NotNull @PositiveOrZero @Max(MAX_TOKENS) Long uncachedInputTokens,
        @PositiveOrZero @Max(MAX_TOKENS) Long cachedInputTokens,
        @PositiveOrZero @Max(MAX_TOKENS) Long cacheWriteTokens,
        @NotNull @PositiveOrZero @Max(MAX_TOKENS) Long outputTokens,
        @PositiveOrZero @Max(MAX_TOKENS) Long reasoningTokens) {

    /** More tokens than any model's context in one bucket: certainly a client bug. */
    public static final long MAX_TOKENS = 10_000_000;

    @JsonIgnore
    @AssertTrue(message = "a metered call has at least one token")
    public boolean isNotEmpty() {
        // Field by field, not through the sum: the sum of out-of-range counts (refused by @Max anyway)
        // could overflow while the request is being validated.
        return positive(uncachedInputTokens) || positive(cachedInputTokens) || positive(cacheWriteTokens)
                || positive(outputTokens) || positive(reasoningTokens);
    }

    private static boolean positive(Long value) {
        return value != null && value > 0;
    }

    public Usage toUsage() {
        return new Usage(orZero(uncachedInputTokens), orZero(cachedInputTokens), orZero(cacheWriteTokens),
                orZero(outputTokens), orZero(reasoningTokens));
    }

    private static long orZero(Long value) {
        return value == null || value < 0 ? 0 : value;
    }
}
