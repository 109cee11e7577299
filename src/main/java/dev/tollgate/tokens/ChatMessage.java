package dev.tollgate.tokens;

/**
 * One message of a chat prompt as the model sees it: its role ({@code system}, {@code user},
 * {@code assistant}, …), its text, and the optional participant name ({@code null} when absent).
 * A {@code null} role or content counts as empty.
 */
public record ChatMessage(String role, String content, String name) {
}
