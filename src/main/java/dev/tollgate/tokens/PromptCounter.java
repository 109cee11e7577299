package dev.tollgate.tokens;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Counts a whole prompt as the provider bills it, as an upper bound: its text parts, tool calls,
 * names and definitions ({@link TokenEstimator}) and its images (by the model's image rule). A
 * prompt with a part that cannot be counted for the model is refused with 422
 * {@code unsupported-content}.
 */
@ApplicationScoped
public class PromptCounter {

    @Inject
    TokenEstimator tokens;

    public long tokens(String model, Prompt prompt) {
        long count = tokens.promptTokens(model, prompt);
        if (!prompt.images().isEmpty()) {
            throw UnsupportedContentException.of("messages[].content[].image_url",
                    "Images are not metered for model " + model + ".");
        }
        return count;
    }
}
