package dev.tollgate.tokens;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How prompts are turned into token estimates before a call. */
@ConfigMapping(prefix = "tollgate.estimation")
public interface EstimationConfig {

    /** Characters per token when no tokenizer for the model is known. */
    @WithDefault("4")
    @Min(1)
    int charsPerToken();

    /** Added on top of every estimate, in percent, for what the estimate cannot know. */
    @WithDefault("20")
    @Min(0)
    @Max(1000)
    int bufferPercent();

    /** The output budget assumed when a request does not name one. */
    @WithDefault("1024")
    @Min(1)
    int defaultMaxOutputTokens();
}
