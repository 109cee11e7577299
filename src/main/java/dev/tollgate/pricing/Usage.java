package dev.tollgate.pricing;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The tokens of one call, normalized into the pricing buckets. The buckets do not overlap:
 * {@code uncachedInput} excludes cached and cache-write tokens, and {@code output} excludes
 * reasoning tokens. (OpenAI's {@code prompt_tokens} includes its cached tokens and its
 * {@code completion_tokens} include reasoning tokens; they are split before pricing.)
 */
// Fingerprinted by RequestHash's own ObjectMapper when a chat call settles: registered for the native image.
@RegisterForReflection
public record Usage(long uncachedInput, long cachedInput, long cacheWrite, long output, long reasoning) {

    public Usage {
        if (uncachedInput < 0 || cachedInput < 0 || cacheWrite < 0 || output < 0 || reasoning < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }

    public long total() {
        return Math.addExact(Math.addExact(Math.addExact(uncachedInput, cachedInput), Math.addExact(cacheWrite, output)),
                reasoning);
    }
}
