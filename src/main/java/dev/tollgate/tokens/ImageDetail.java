package dev.tollgate.tokens;

import java.util.Optional;

/**
 * The {@code detail} of an {@code image_url} part: how closely a tile-counted model looks at the
 * image. {@link #AUTO} lets the provider choose, so it is counted as {@link #HIGH}, the more
 * expensive of the two.
 */
public enum ImageDetail {
    LOW,
    HIGH,
    AUTO;

    /**
     * The detail a request gives: {@code "low"}, {@code "high"} or {@code "auto"}, and {@code null}
     * (absent) is {@link #AUTO}, as at the provider.
     *
     * @return empty for any other value (such as a newer provider's {@code "original"}), whose
     *         tokens no rule here bounds
     */
    public static Optional<ImageDetail> parse(String detail) {
        if (detail == null) {
            return Optional.of(AUTO);
        }
        return switch (detail) {
            case "low" -> Optional.of(LOW);
            case "high" -> Optional.of(HIGH);
            case "auto" -> Optional.of(AUTO);
            default -> Optional.empty();
        };
    }
}
