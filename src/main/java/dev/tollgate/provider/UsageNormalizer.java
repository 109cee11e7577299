package dev.tollgate.provider;

import java.util.Optional;

import io.vertx.core.json.JsonObject;

import dev.tollgate.pricing.Usage;

/**
 * Turns the {@code usage} object of a chat completion (or of the last chunk of a stream) into the
 * non-overlapping buckets of {@link Usage}. This is where LLM proxies classically overcharge, so
 * each rule is stated here and tested in {@code UsageNormalizerTest}:
 *
 * <ol>
 * <li><b>OpenAI</b> ({@code prompt_tokens}, {@code completion_tokens}):
 * {@code prompt_tokens} INCLUDES {@code prompt_tokens_details.cached_tokens}, so
 * {@code uncachedInput = prompt_tokens − cached_tokens} and {@code cachedInput = cached_tokens};
 * {@code completion_tokens} INCLUDES {@code completion_tokens_details.reasoning_tokens}, so
 * {@code output = completion_tokens − reasoning_tokens} and {@code reasoning = reasoning_tokens}.
 * Missing details count as 0.</li>
 * <li><b>Anthropic fields on an OpenAI-compatible gateway</b>: {@code cache_creation_input_tokens}
 * and {@code cache_read_input_tokens} are reported BESIDE the input count, never inside it, so they
 * become {@code cacheWrite} and {@code cachedInput} without subtracting anything. Exception: a
 * gateway that also mirrors the cache reads into {@code prompt_tokens_details.cached_tokens} (and
 * then counts them inside {@code prompt_tokens}) reports the same tokens twice; they are counted once,
 * by rule 1. If the two numbers differ, the usage is inconsistent.</li>
 * <li><b>Anthropic</b> ({@code input_tokens}, {@code output_tokens}, no {@code prompt_tokens}):
 * {@code uncachedInput = input_tokens}, {@code cachedInput = cache_read_input_tokens},
 * {@code cacheWrite = cache_creation_input_tokens} (all beside each other),
 * {@code output = output_tokens}, {@code reasoning = 0} (Anthropic bills thinking as output).</li>
 * <li><b>OpenAI Responses shape</b> ({@code input_tokens} with {@code input_tokens_details}): like
 * rule 1, the details are INSIDE the totals: {@code input_tokens − cached_tokens},
 * {@code output_tokens − reasoning_tokens}.</li>
 * <li>No usage object, or one without an input count ({@code prompt_tokens} or {@code input_tokens})
 * → {@link Optional#empty()}: the caller counts the tokens itself and marks them estimated.</li>
 * <li>A count that is negative, not a whole number, or a part larger than the total it is part of
 * (cached &gt; prompt, reasoning &gt; completion), or an input count without an output count →
 * {@link ProviderFailure} ({@code INCONSISTENT_USAGE}): never a negative or invented bucket.</li>
 * </ol>
 */
public final class UsageNormalizer {

    private UsageNormalizer() {
    }

    /**
     * The usage of a response body or stream chunk (its {@code usage} member); empty when absent or null.
     *
     * @throws ProviderFailure if the usage is present but inconsistent
     */
    public static Optional<Usage> fromResponse(JsonObject responseOrChunk) {
        if (responseOrChunk == null) {
            return Optional.empty();
        }
        Object usage = responseOrChunk.getValue("usage");
        if (usage == null) {
            return Optional.empty();
        }
        if (!(usage instanceof JsonObject object)) {
            throw inconsistent("usage is not an object");
        }
        return normalize(object);
    }

    /**
     * The buckets of a {@code usage} object, by the rules of this class.
     *
     * @throws ProviderFailure if the counts are inconsistent
     */
    public static Optional<Usage> normalize(JsonObject usage) {
        if (usage == null) {
            return Optional.empty();
        }
        if (usage.containsKey("prompt_tokens") && usage.getValue("prompt_tokens") != null) {
            return Optional.of(openAi(usage));
        }
        if (usage.containsKey("input_tokens") && usage.getValue("input_tokens") != null) {
            return Optional.of(usage.getValue("input_tokens_details") != null ? responses(usage) : anthropic(usage));
        }
        return Optional.empty();
    }

    private static Usage openAi(JsonObject usage) {
        long prompt = required(usage, "prompt_tokens");
        long completion = required(usage, "completion_tokens");
        long cached = optional(details(usage, "prompt_tokens_details"), "cached_tokens");
        long reasoning = optional(details(usage, "completion_tokens_details"), "reasoning_tokens");
        long cacheWrite = optional(usage, "cache_creation_input_tokens");
        long cacheRead = optional(usage, "cache_read_input_tokens");
        partOf("prompt_tokens_details.cached_tokens", cached, "prompt_tokens", prompt);
        partOf("completion_tokens_details.reasoning_tokens", reasoning, "completion_tokens", completion);
        long cachedInput;
        if (cached > 0 && cacheRead > 0) {
            // The gateway mirrored its cache reads into the OpenAI detail: the same tokens, counted once.
            if (cached != cacheRead) {
                throw inconsistent("cache_read_input_tokens (" + cacheRead + ") differs from prompt_tokens_details.cached_tokens ("
                        + cached + ")");
            }
            cachedInput = cached;
        } else {
            cachedInput = Math.addExact(cached, cacheRead);
        }
        return new Usage(prompt - cached, cachedInput, cacheWrite, completion - reasoning, reasoning);
    }

    private static Usage anthropic(JsonObject usage) {
        long input = required(usage, "input_tokens");
        long output = required(usage, "output_tokens");
        long cacheWrite = optional(usage, "cache_creation_input_tokens");
        long cacheRead = optional(usage, "cache_read_input_tokens");
        return new Usage(input, cacheRead, cacheWrite, output, 0);
    }

    private static Usage responses(JsonObject usage) {
        long input = required(usage, "input_tokens");
        long output = required(usage, "output_tokens");
        long cached = optional(details(usage, "input_tokens_details"), "cached_tokens");
        long reasoning = optional(details(usage, "output_tokens_details"), "reasoning_tokens");
        partOf("input_tokens_details.cached_tokens", cached, "input_tokens", input);
        partOf("output_tokens_details.reasoning_tokens", reasoning, "output_tokens", output);
        return new Usage(input - cached, cached, 0, output - reasoning, reasoning);
    }

    private static JsonObject details(JsonObject usage, String name) {
        Object value = usage.getValue(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject object)) {
            throw inconsistent(name + " is not an object");
        }
        return object;
    }

    private static long required(JsonObject object, String name) {
        if (object.getValue(name) == null) {
            throw inconsistent(name + " is missing");
        }
        return optional(object, name);
    }

    /** A count that may be absent (0); present, it must be a whole number ≥ 0. */
    private static long optional(JsonObject object, String name) {
        if (object == null) {
            return 0;
        }
        Object value = object.getValue(name);
        if (value == null) {
            return 0;
        }
        long count;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            count = ((Number) value).longValue();
        } else if (value instanceof Number number && isWhole(number)) {
            count = number.longValue();
        } else {
            throw inconsistent(name + " is not a whole number");
        }
        if (count < 0) {
            throw inconsistent(name + " is negative (" + count + ")");
        }
        return count;
    }

    private static boolean isWhole(Number number) {
        // JSON numbers written as 12.0 (or 1.2E1) arrive as Double or BigDecimal; accept only exact whole values.
        try {
            new java.math.BigDecimal(number.toString()).longValueExact();
            return true;
        } catch (ArithmeticException | NumberFormatException e) {
            return false;
        }
    }

    private static void partOf(String partName, long part, String totalName, long total) {
        if (part > total) {
            throw inconsistent(partName + " (" + part + ") exceeds " + totalName + " (" + total + ")");
        }
    }

    private static ProviderFailure inconsistent(String why) {
        return new ProviderFailure("unknown", ProviderFailure.Reason.INCONSISTENT_USAGE, "usage: " + why);
    }
}
