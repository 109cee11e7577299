package dev.tollgate.tokens;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The pixel size of an image, both sides at least 1.
 *
 * <p>{@link #fromDataUrl} reads it from the header of an image sent inline as a {@code data:} URL;
 * the image of any other URL is never fetched, so its size is unknown.
 */
public record ImageSize(int width, int height) {

    public ImageSize {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image is at least 1x1 pixels, not " + width + "x" + height);
        }
    }

    /**
     * The size of the image of an {@code image_url} part, read from the bytes of a base64
     * {@code data:} URL ({@code data:image/png;base64,…}): PNG (IHDR), GIF (logical screen), WebP
     * (VP8, VP8L, VP8X) or JPEG (the first frame header, SOFn). Only the bytes up to the size are
     * decoded (for a JPEG, up to its frame header), and at most {@link DataUrl#MAX_PAYLOAD_CHARS}
     * characters of the URL.
     *
     * @return empty for {@code null}, for any URL that is not a base64 {@code data:} URL (an
     *         {@code http(s)} URL is never fetched), and for bytes that are not a well-formed header of
     *         one of those formats or declare a side of 0; never throws
     */
    public static Optional<ImageSize> fromDataUrl(String url) {
        Optional<InputStream> bytes = DataUrl.imageBytes(url);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = bytes.get()) {
            return ImageHeaders.read(in);
        } catch (IOException truncatedOrNotBase64) {
            return Optional.empty();
        }
    }

    /** The size, if both sides are from 1 to {@link Integer#MAX_VALUE}. */
    static Optional<ImageSize> of(long width, long height) {
        if (width < 1 || height < 1 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new ImageSize((int) width, (int) height));
    }
}
