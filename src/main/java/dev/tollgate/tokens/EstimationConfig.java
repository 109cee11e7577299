package dev.tollgate.tokens;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How prompts are turned into token estimates before a call. OpenAI-family models are counted by
 * their own tokenizer; the ratios below are for every other model.
 */
@ConfigMapping(prefix = "tollgate.estimation")
public interface EstimationConfig {

    /**
     * Characters (Unicode code points) per token for a model with neither a tokenizer nor a matching
     * family: the last resort. A decimal, such as {@code 4.0}. Default 4.0.
     */
    @WithDefault("4.0")
    @DecimalMin(TokenEstimator.MIN_CHARS_PER_TOKEN)
    @DecimalMax(TokenEstimator.MAX_CHARS_PER_TOKEN)
    BigDecimal charsPerToken();

    /**
     * Characters per token by model family, keyed by a prefix of the model name, for example
     * {@code tollgate.estimation.families.claude=3.5}. Keys and model names are compared in lower
     * case, after any provider prefix ({@code anthropic/…}); the longest matching prefix wins. A model
     * counted by a tokenizer never uses these. Default: none in code; application.properties ships
     * claude 3.5, gemini 4.0, llama 3.8 and mistral 3.7, rough approximations of those tokenizers.
     */
    Map<String, @DecimalMin(TokenEstimator.MIN_CHARS_PER_TOKEN) @DecimalMax(TokenEstimator.MAX_CHARS_PER_TOKEN) BigDecimal> families();

    /**
     * Whether the serving application loads the tokenizer encodings in the background right after
     * it has started, so that its first pre-check or chat call does not wait about a second for
     * them; the job command never loads them. Default true.
     */
    @WithDefault("true")
    boolean warmUp();

    /** Added on top of every estimate, in percent, for what the estimate cannot know. Default 20. */
    @WithDefault("20")
    @Min(0)
    @Max(1000)
    int bufferPercent();

    /** The output budget assumed when a request does not name one. Default 1024. */
    @WithDefault("1024")
    @Min(1)
    int defaultMaxOutputTokens();

    /**
     * Models that reason before they answer, by model-name prefix (compared as the families are):
     * their reasoning tokens are billed but never seen, so a call of theirs whose usage the
     * provider does not report is billed at its whole output budget. Default {@code o1,o3,o4,gpt-5};
     * application.properties adds more.
     */
    @WithDefault("o1,o3,o4,gpt-5")
    List<String> reasoningModels();
}
