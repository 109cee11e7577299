package dev.tollgate.tokens;

import static com.knuddels.jtokkit.api.EncodingType.CL100K_BASE;
import static com.knuddels.jtokkit.api.EncodingType.O200K_BASE;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.knuddels.jtokkit.api.EncodingType;

/**
 * The tiktoken encoding of an OpenAI model, after the model table of OpenAI's tiktoken
 * ({@code tiktoken/model.py}). Model names are given as {@link TokenEstimator#modelKey} makes them:
 * lower case, without a provider or fine-tune prefix.
 */
final class OpenAiEncodings {

    /**
     * A rule: the model name starts with {@code prefix}; if {@code whole}, the prefix must also be the
     * whole name or be followed by {@code -} or {@code :} (a version, a size, a fine-tune suffix), so
     * that {@code gpt-4} does not take {@code gpt-4o} or {@code gpt-4.1}, nor {@code o1} a model called
     * {@code o1x}.
     */
    private record Rule(String prefix, boolean whole, EncodingType encoding) {

        boolean matches(String model) {
            if (!model.startsWith(prefix)) {
                return false;
            }
            if (!whole || model.length() == prefix.length()) {
                return true;
            }
            char next = model.charAt(prefix.length());
            return next == '-' || next == ':';
        }
    }

    private static final List<Rule> RULES = List.of(
            // o200k_base: GPT-4o and everything after it.
            new Rule("gpt-4o", false, O200K_BASE),
            new Rule("chatgpt-4o", false, O200K_BASE),
            new Rule("gpt-4.1", false, O200K_BASE),
            new Rule("gpt-4.5", false, O200K_BASE),
            new Rule("gpt-5", false, O200K_BASE),
            new Rule("o1", true, O200K_BASE),
            new Rule("o3", true, O200K_BASE),
            new Rule("o4", true, O200K_BASE),
            // cl100k_base: GPT-4 (not 4o), GPT-4 Turbo, GPT-3.5 Turbo (also its Azure name), the embeddings.
            new Rule("gpt-4", true, CL100K_BASE),
            new Rule("gpt-3.5-turbo", false, CL100K_BASE),
            new Rule("gpt-35-turbo", false, CL100K_BASE),
            new Rule("text-embedding-3", false, CL100K_BASE),
            new Rule("text-embedding-ada-002", true, CL100K_BASE));

    private OpenAiEncodings() {
    }

    /** Every encoding some model is counted with: their files must be in the native image (application.properties). */
    static Set<EncodingType> used() {
        return RULES.stream().map(Rule::encoding).collect(Collectors.toCollection(() -> EnumSet.noneOf(EncodingType.class)));
    }

    /** The encoding of the model, or empty if it is not an OpenAI model that a tokenizer here counts. */
    static Optional<EncodingType> forModel(String modelKey) {
        for (Rule rule : RULES) {
            if (rule.matches(modelKey)) {
                return Optional.of(rule.encoding());
            }
        }
        return Optional.empty();
    }
}
