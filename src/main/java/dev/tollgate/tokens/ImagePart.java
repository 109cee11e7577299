package dev.tollgate.tokens;

import java.util.Objects;
import java.util.Optional;

/**
 * An image content part of a chat prompt ({@code {"type":"image_url","image_url":{"url":…,
 * "detail":…}}}) as far as its tokens go: its detail, and its pixel size when the request carries
 * the image inline (empty for an image given by URL, which is never fetched).
 */
public record ImagePart(ImageDetail detail, Optional<ImageSize> size) {

    public ImagePart {
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(size, "size");
    }

    /**
     * The part of an {@code image_url}: the size is read from a {@code data:} URL
     * ({@link ImageSize#fromDataUrl}), the detail parsed by {@link ImageDetail#parse}.
     *
     * @param url the {@code url}, any string or {@code null}
     * @param detail the {@code detail}, {@code null} when absent
     * @return empty if the detail is not one the rules know
     */
    public static Optional<ImagePart> of(String url, String detail) {
        return ImageDetail.parse(detail).map(known -> new ImagePart(known, ImageSize.fromDataUrl(url)));
    }
}
