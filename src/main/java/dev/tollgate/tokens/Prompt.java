package dev.tollgate.tokens;

import java.util.List;

/**
 * A chat prompt as the provider bills it: its messages, the definitions sent beside them — the
 * JSON of the {@code tools} and {@code functions}, of {@code tool_choice} and of the
 * {@code response_format} schema, each one text — and its images.
 */
public record Prompt(List<ChatMessage> messages, List<String> definitions, List<PromptImage> images) {

    public Prompt {
        messages = List.copyOf(messages);
        definitions = List.copyOf(definitions);
        images = List.copyOf(images);
    }

    /** A prompt of messages only. */
    public static Prompt of(List<ChatMessage> messages) {
        return new Prompt(messages, List.of(), List.of());
    }
}
