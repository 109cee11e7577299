package dev.tollgate.tokens;

import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Counts a whole prompt as the provider bills it, as an upper bound: its text parts, tool calls,
 * names and definitions ({@link TokenEstimator}) and its images, by the model's image rule
 * ({@link ImageTokens}: an inline image by its size, any other at the largest the rule allows —
 * no URL is ever fetched). An image of a model without an image rule is refused with 422
 * {@code unsupported-content}.
 */
@ApplicationScoped
public class PromptCounter {

    @Inject
    TokenEstimator tokens;

    @Inject
    ImageTokens images;

    public long tokens(String model, Prompt prompt) {
        long count = tokens.promptTokens(model, prompt);
        for (PromptImage image : prompt.images()) {
            count = Math.addExact(count, imageTokens(model, image));
        }
        return count;
    }

    private long imageTokens(String model, PromptImage image) {
        ImagePart part = ImagePart.of(image.url(), image.detail()).orElseThrow(() -> UnsupportedContentException.of(
                "messages[].content[].image_url.detail", "An image's detail is low, high or auto."));
        OptionalLong counted = images.tokens(model, part);
        if (counted.isEmpty()) {
            throw UnsupportedContentException.of("messages[].content[].image_url",
                    "Images are not metered for model " + model + ": it has no image rule (tollgate.estimation.images).");
        }
        return counted.getAsLong();
    }
}
