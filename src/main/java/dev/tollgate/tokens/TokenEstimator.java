package dev.tollgate.tokens;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts tokens the way the model will. OpenAI-family models are counted exactly by their own
 * tiktoken encoding (jtokkit: {@code o200k_base} or {@code cl100k_base}, see {@link OpenAiEncodings});
 * every other model by a characters-per-token ratio: the one of its family (longest matching
 * prefix of the model name in {@code tollgate.estimation.families}), else
 * {@code tollgate.estimation.chars-per-token}. A ratio counts Unicode code points, and the tokens of
 * a text are {@code ceil(code points / ratio)}, computed exactly in decimal.
 *
 * <p>A chat prompt adds the framing of OpenAI's published recipe (cookbook "How to count tokens
 * with tiktoken", gpt-3.5-turbo-0613 / gpt-4 / gpt-4o): per message 3 tokens plus the tokens of
 * its role and content, plus the tokens of its name and 1 more when it has one; and 3 tokens that
 * prime the reply. Ratio-counted models get the same shape, their texts counted by the ratio.
 *
 * <p>What a prompt carries beside its messages is counted too, as an upper bound: each tool call of
 * an assistant message (its id, function name and arguments, each counted on its own, plus
 * {@value #TOKENS_PER_TOOL_CALL} tokens of framing) and the {@code tool_call_id} of a tool message;
 * each definition sent with the prompt (the JSON of a tool or function, of {@code tool_choice}, of
 * the {@code response_format} schema) as its JSON text plus {@value #TOKENS_PER_DEFINITION} tokens,
 * and {@value #DEFINITIONS_FRAME_TOKENS} once when there are any. The provider renders definitions in
 * a terser form than their JSON (OpenAI: a TypeScript-like namespace in the system message), so
 * their JSON text is more than it bills. Images are counted by {@link ImageTokens}, not here.
 *
 * <p>Text that looks like a special token ({@code <|endoftext|>}) is counted as ordinary text, as
 * the provider does with user content. The encodings are loaded lazily, once per instance, on the
 * first count that needs them.
 */
@ApplicationScoped
public class TokenEstimator {

    /** Tokens the chat format adds around every message ({@code tokens_per_message}). */
    static final int TOKENS_PER_MESSAGE = 3;
    /** Tokens a participant name adds on top of its own text ({@code tokens_per_name}). */
    static final int TOKENS_PER_NAME = 1;
    /** Tokens that prime the assistant's reply, once per prompt ({@code <|start|>assistant<|message|>}). */
    static final int REPLY_PRIMING_TOKENS = 3;
    /** Framing of one tool call in an assistant message, beyond its id, name and arguments. */
    static final int TOKENS_PER_TOOL_CALL = 10;
    /** Framing of one definition (a tool, a function, the tool choice, a response schema), beyond its JSON. */
    static final int TOKENS_PER_DEFINITION = 10;
    /** Framing of the definitions as a whole, once per prompt that has any. */
    static final int DEFINITIONS_FRAME_TOKENS = 20;

    /** Bounds of a characters-per-token ratio (also the bounds of the configuration). */
    static final String MIN_CHARS_PER_TOKEN = "0.1";
    static final String MAX_CHARS_PER_TOKEN = "100";
    private static final BigDecimal MIN_RATIO = new BigDecimal(MIN_CHARS_PER_TOKEN);
    private static final BigDecimal MAX_RATIO = new BigDecimal(MAX_CHARS_PER_TOKEN);

    /** A family ratio, for model names (as {@link #modelKey} makes them) that start with the prefix. */
    private record Family(String prefix, BigDecimal charsPerToken) {
    }

    /** Counts a non-empty text. */
    private interface Counter {
        long count(String text);
    }

    private final EncodingRegistry encodings = Encodings.newLazyEncodingRegistry();
    private final BigDecimal charsPerToken;
    /** Longest prefix first, so that the first match is the longest. */
    private final List<Family> families;

    /** Model-name prefixes of the reasoning models (as {@link #modelKey} makes names). */
    private final List<String> reasoningModels;

    @Inject
    public TokenEstimator(EstimationConfig config) {
        this(config.charsPerToken(), config.families(), config.reasoningModels());
    }

    TokenEstimator(BigDecimal charsPerToken, Map<String, BigDecimal> families) {
        this(charsPerToken, families, List.of());
    }

    /**
     * @param charsPerToken the ratio of a model with neither a tokenizer nor a family
     * @param families ratios by model-name prefix
     * @param reasoningModels prefixes of the models that reason before they answer
     */
    TokenEstimator(BigDecimal charsPerToken, Map<String, BigDecimal> families, List<String> reasoningModels) {
        this.reasoningModels = reasoningModels.stream().map(TokenEstimator::familyKey).toList();
        this.charsPerToken = checkRatio("chars-per-token", charsPerToken);
        Objects.requireNonNull(families, "families");
        this.families = families.entrySet().stream()
                .map(family -> new Family(familyKey(family.getKey()),
                        checkRatio("families." + family.getKey(), family.getValue())))
                .sorted(Comparator.comparingInt((Family family) -> family.prefix().length()).reversed()
                        .thenComparing(Family::prefix))
                .toList();
        for (int i = 1; i < this.families.size(); i++) {
            if (this.families.get(i).prefix().equals(this.families.get(i - 1).prefix())) {
                throw new IllegalArgumentException("family " + this.families.get(i).prefix() + " is configured twice");
            }
        }
    }

    /**
     * The tokens of a chat prompt as the model will see it: the messages with their framing and the
     * priming of the reply.
     */
    public long promptTokens(String model, List<ChatMessage> messages) {
        return promptTokens(model, Prompt.of(messages));
    }

    /**
     * The tokens of a whole prompt except its images: the messages with their framing, tool calls
     * and tool call ids, the definitions sent beside them, and the priming of the reply.
     */
    public long promptTokens(String model, Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        Counter counter = counter(model);
        long tokens = REPLY_PRIMING_TOKENS;
        for (ChatMessage message : prompt.messages()) {
            tokens = Math.addExact(tokens, messageTokens(counter, Objects.requireNonNull(message, "message")));
        }
        for (String definition : prompt.definitions()) {
            tokens = Math.addExact(tokens, Math.addExact(count(counter, definition), TOKENS_PER_DEFINITION));
        }
        if (!prompt.definitions().isEmpty()) {
            tokens = Math.addExact(tokens, DEFINITIONS_FRAME_TOKENS);
        }
        return tokens;
    }

    private static long messageTokens(Counter counter, ChatMessage message) {
        long tokens = TOKENS_PER_MESSAGE;
        tokens = Math.addExact(tokens, count(counter, message.role()));
        tokens = Math.addExact(tokens, count(counter, message.content()));
        if (message.name() != null) {
            tokens = Math.addExact(tokens, Math.addExact(count(counter, message.name()), TOKENS_PER_NAME));
        }
        for (ChatMessage.ToolCall call : message.toolCalls()) {
            tokens = Math.addExact(tokens, TOKENS_PER_TOOL_CALL);
            tokens = Math.addExact(tokens, count(counter, call.id()));
            tokens = Math.addExact(tokens, count(counter, call.name()));
            tokens = Math.addExact(tokens, count(counter, call.arguments()));
        }
        return Math.addExact(tokens, count(counter, message.toolCallId()));
    }

    /** The tokens of a bare text (such as the output generated before a stream broke off), without framing. */
    public long textTokens(String model, String text) {
        return count(counter(model), text);
    }

    /**
     * Whether the model reasons before it answers ({@code tollgate.estimation.reasoning-models}):
     * its billed output cannot be counted from what it shows.
     */
    public boolean isReasoning(String model) {
        String key = modelKey(model);
        return reasoningModels.stream().anyMatch(key::startsWith);
    }

    /** Whether the model is counted by its own tokenizer rather than estimated by a ratio. */
    public boolean isExact(String model) {
        return encodingFor(model).isPresent();
    }

    /**
     * Loads every encoding some model is counted with, now rather than on the first count that
     * needs it (about a second of CPU for both). Answers the encodings loaded.
     */
    Set<EncodingType> loadEncodings() {
        Set<EncodingType> used = OpenAiEncodings.used();
        used.forEach(encodings::getEncoding);
        return used;
    }

    /** The tiktoken encoding that counts the model, if any. */
    Optional<EncodingType> encodingFor(String model) {
        return OpenAiEncodings.forModel(modelKey(model));
    }

    /** The ratio that counts the model when it has no tokenizer: its family's, else the global one. */
    BigDecimal charsPerTokenFor(String model) {
        String key = modelKey(model);
        for (Family family : families) {
            if (key.startsWith(family.prefix())) {
                return family.charsPerToken();
            }
        }
        return charsPerToken;
    }

    /** {@code ceil(codePoints / charsPerToken)}, exactly. */
    static long tokensFor(long codePoints, BigDecimal charsPerToken) {
        return BigDecimal.valueOf(codePoints).divide(charsPerToken, 0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * The name that rules are matched against: lower case, without a provider prefix
     * ({@code openai/gpt-4o} is {@code gpt-4o}) or the {@code ft:} of an OpenAI fine-tune.
     */
    static String modelKey(String model) {
        Objects.requireNonNull(model, "model");
        String key = model.strip().toLowerCase(Locale.ROOT);
        key = key.substring(key.lastIndexOf('/') + 1);
        return key.startsWith("ft:") ? key.substring(3) : key;
    }

    private Counter counter(String model) {
        Optional<EncodingType> type = encodingFor(model);
        if (type.isPresent()) {
            Encoding encoding = encodings.getEncoding(type.get());
            return encoding::countTokensOrdinary;
        }
        BigDecimal ratio = charsPerTokenFor(model);
        return text -> tokensFor(text.codePointCount(0, text.length()), ratio);
    }

    private static long count(Counter counter, String text) {
        return text == null || text.isEmpty() ? 0 : counter.count(text);
    }

    private static String familyKey(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("a family needs a model-name prefix");
        }
        return prefix.strip().toLowerCase(Locale.ROOT);
    }

    private static BigDecimal checkRatio(String what, BigDecimal ratio) {
        if (ratio == null || ratio.compareTo(MIN_RATIO) < 0 || ratio.compareTo(MAX_RATIO) > 0) {
            throw new IllegalArgumentException(what + " must be a decimal from " + MIN_CHARS_PER_TOKEN + " to "
                    + MAX_CHARS_PER_TOKEN + ", not " + ratio);
        }
        return ratio;
    }
}
