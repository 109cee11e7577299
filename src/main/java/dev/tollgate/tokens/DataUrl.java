package dev.tollgate.tokens;

import java.io.InputStream;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The bytes of a base64 {@code data:} URL (RFC 2397, {@code data:[<media type>][;base64],<data>}),
 * decoded lazily: a reader takes only the bytes it needs.
 */
final class DataUrl {

    /** The longest media type and parameters looked at before the comma. */
    static final int MAX_HEADER_CHARS = 256;
    /**
     * The most base64 characters ever decoded (3 MiB of bytes): well above a whole request body
     * ({@code quarkus.http.limits.max-body-size=1M}); past it the image reads as truncated.
     */
    static final int MAX_PAYLOAD_CHARS = 4 * 1024 * 1024;

    private static final String SCHEME = "data:";
    private static final String BASE64 = ";base64";

    private DataUrl() {
    }

    /**
     * A stream of the decoded bytes, or empty if the URL is not a base64 {@code data:} URL. The
     * stream throws {@link java.io.IOException} on a character that is not base64.
     */
    static Optional<InputStream> imageBytes(String url) {
        if (url == null || !url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        int headerEnd = Math.min(url.length(), SCHEME.length() + MAX_HEADER_CHARS + 1);
        int comma = url.substring(0, headerEnd).indexOf(',', SCHEME.length());
        if (comma < 0) {
            return Optional.empty();
        }
        String header = url.substring(SCHEME.length(), comma).toLowerCase(Locale.ROOT);
        if (!header.endsWith(BASE64)) {
            return Optional.empty();
        }
        int end = (int) Math.min(url.length(), (long) comma + 1 + MAX_PAYLOAD_CHARS);
        // Unbuffered: a read decodes only the bytes it asks for.
        return Optional.of(Base64.getDecoder().wrap(new AsciiChars(url, comma + 1, end)));
    }

    /**
     * The characters of a part of a string as bytes, without copying it; a character outside ASCII
     * reads as {@code '!'}, which no base64 alphabet has, so the decoder refuses it.
     */
    private static final class AsciiChars extends InputStream {

        private final String text;
        private final int end;
        private int next;

        AsciiChars(String text, int start, int end) {
            this.text = text;
            this.next = start;
            this.end = end;
        }

        @Override
        public int read() {
            if (next >= end) {
                return -1;
            }
            char c = text.charAt(next++);
            return c < 128 ? c : '!';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (next >= end) {
                return -1;
            }
            int count = Math.min(length, end - next);
            for (int i = 0; i < count; i++) {
                char c = text.charAt(next++);
                buffer[offset + i] = (byte) (c < 128 ? c : '!');
            }
            return count;
        }
    }
}
