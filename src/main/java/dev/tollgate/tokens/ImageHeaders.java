package dev.tollgate.tokens;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the pixel size from the first bytes of a PNG, GIF, WebP or JPEG image, by the format's
 * signature, never trusting the declared media type. Reads the signature, then only the bytes the
 * format needs: up to byte 24 of a PNG, 10 of a GIF, 25 or 30 of a WebP, and a JPEG up to its frame
 * header ({@link JpegHeader}).
 */
final class ImageHeaders {

    /** Enough to tell the formats apart: "RIFF", the RIFF size and "WEBP". */
    static final int SIGNATURE_BYTES = 12;
    static final int PNG_BYTES = 24;
    static final int GIF_BYTES = 10;
    /** The longest WebP header, VP8 and VP8X (VP8L ends at 25). */
    static final int WEBP_BYTES = 30;

    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    private static final byte[] GIF87A = { 'G', 'I', 'F', '8', '7', 'a' };
    private static final byte[] GIF89A = { 'G', 'I', 'F', '8', '9', 'a' };
    private static final byte[] RIFF = { 'R', 'I', 'F', 'F' };
    private static final byte[] WEBP = { 'W', 'E', 'B', 'P' };
    private static final byte[] IHDR = { 'I', 'H', 'D', 'R' };
    private static final byte[] VP8 = { 'V', 'P', '8', ' ' };
    private static final byte[] VP8L = { 'V', 'P', '8', 'L' };
    private static final byte[] VP8X = { 'V', 'P', '8', 'X' };

    private ImageHeaders() {
    }

    /** The size of the image whose bytes the stream gives, or empty if it is not one of the formats. */
    static Optional<ImageSize> read(InputStream in) throws IOException {
        byte[] head = in.readNBytes(SIGNATURE_BYTES);
        if (startsWith(head, 0, PNG)) {
            return png(readUpTo(PNG_BYTES, head, in));
        }
        if (startsWith(head, 0, GIF87A) || startsWith(head, 0, GIF89A)) {
            return gif(head);
        }
        if (startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP)) {
            return webp(readUpTo(WEBP_BYTES, head, in));
        }
        if (head.length >= 2 && u8(head, 0) == 0xff && u8(head, 1) == JpegHeader.SOI) {
            return JpegHeader.read(new SequenceInputStream(new ByteArrayInputStream(head, 2, head.length - 2), in));
        }
        return Optional.empty();
    }

    /** PNG: the first chunk is IHDR (13 bytes), width and height big-endian, 1 to 2^31 - 1. */
    private static Optional<ImageSize> png(byte[] head) {
        if (head.length < PNG_BYTES || be32(head, 8) != 13 || !startsWith(head, 12, IHDR)) {
            return Optional.empty();
        }
        return ImageSize.of(be32(head, 16), be32(head, 20));
    }

    /** GIF: the logical screen width and height, little-endian, after the signature. */
    private static Optional<ImageSize> gif(byte[] head) {
        if (head.length < GIF_BYTES) {
            return Optional.empty();
        }
        return ImageSize.of(le16(head, 6), le16(head, 8));
    }

    /**
     * WebP: RIFF header, then the first chunk's FourCC at 12 and its data at 20: a lossy key frame
     * (VP8, 14-bit sides after the start code, to byte 30), a lossless image (VP8L, signature then
     * sides minus one in 14 bits each, to byte 25) or an extended canvas (VP8X, sides minus one in
     * 24 bits each, to byte 30).
     */
    private static Optional<ImageSize> webp(byte[] head) {
        if (startsWith(head, 12, VP8) && head.length >= 30) {
            boolean keyFrame = (u8(head, 20) & 1) == 0;
            boolean startCode = u8(head, 23) == 0x9d && u8(head, 24) == 0x01 && u8(head, 25) == 0x2a;
            if (!keyFrame || !startCode) {
                return Optional.empty();
            }
            return ImageSize.of(le16(head, 26) & 0x3fff, le16(head, 28) & 0x3fff);
        }
        if (startsWith(head, 12, VP8L) && head.length >= 25) {
            if (u8(head, 20) != 0x2f) {
                return Optional.empty();
            }
            long bits = le32(head, 21);
            return ImageSize.of((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
        }
        if (startsWith(head, 12, VP8X) && head.length >= 30) {
            return ImageSize.of(le24(head, 24) + 1L, le24(head, 27) + 1L);
        }
        return Optional.empty();
    }

    /** The first {@code length} bytes (fewer if the stream ends), of which {@code head} has been read. */
    private static byte[] readUpTo(int length, byte[] head, InputStream in) throws IOException {
        byte[] rest = in.readNBytes(length - head.length);
        byte[] bytes = Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, bytes, head.length, rest.length);
        return bytes;
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (bytes.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u8(byte[] bytes, int offset) {
        return bytes[offset] & 0xff;
    }

    /** Signed, as PNG reads it: a side of 2^31 or more is negative, so it is refused. */
    private static int be32(byte[] bytes, int offset) {
        return u8(bytes, offset) << 24 | u8(bytes, offset + 1) << 16 | u8(bytes, offset + 2) << 8 | u8(bytes, offset + 3);
    }

    private static int le16(byte[] bytes, int offset) {
        return u8(bytes, offset) | u8(bytes, offset + 1) << 8;
    }

    private static int le24(byte[] bytes, int offset) {
        return le16(bytes, offset) | u8(bytes, offset + 2) << 16;
    }

    private static long le32(byte[] bytes, int offset) {
        return le24(bytes, offset) | (long) u8(bytes, offset + 3) << 24;
    }
}
