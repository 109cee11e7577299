package dev.tollgate.tokens;

/**
 * An image of a prompt as the request gives it: its URL (a {@code data:} URL carries the image
 * itself; any other URL is never fetched) and its {@code detail} ({@code low}, {@code high},
 * {@code auto}, or {@code null} for the provider's default, auto).
 */
public record PromptImage(String url, String detail) {
}
