package dev.tollgate.tokens;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads the size of a JPEG from its first frame header (SOFn, ITU T.81 B.2.2): walks the marker
 * segments after SOI, skipping each one by its length (APPn such as EXIF, whose thumbnail has a
 * frame header of its own, DQT, DHT, COM, …), up to the first SOFn. A scan (SOS) or the end (EOI)
 * before any frame header, a byte out of place, or more than {@link #MAX_SEGMENTS} segments make the
 * size unknown.
 */
final class JpegHeader {

    /** Start of image, the marker after 0xFF that every JPEG begins with. */
    static final int SOI = 0xd8;
    /** More segments than a real JPEG has before its frame header (APPn, ICC profile chunks, tables). */
    static final int MAX_SEGMENTS = 1024;

    private static final int EOI = 0xd9;
    private static final int SOS = 0xda;
    private static final int TEM = 0x01;
    private static final int RST0 = 0xd0;
    private static final int RST7 = 0xd7;
    private static final int FILL = 0xff;

    private JpegHeader() {
    }

    /**
     * @param afterSoi the bytes after the SOI marker
     * @throws IOException if the bytes end before a frame header, or are not base64
     */
    static Optional<ImageSize> read(InputStream afterSoi) throws IOException {
        DataInputStream in = new DataInputStream(afterSoi);
        for (int segment = 0; segment < MAX_SEGMENTS; segment++) {
            if (in.readUnsignedByte() != FILL) {
                return Optional.empty();
            }
            int marker = in.readUnsignedByte();
            while (marker == FILL) { // fill bytes before a marker; each one read brings the end nearer
                marker = in.readUnsignedByte();
            }
            if (marker == TEM || (marker >= RST0 && marker <= RST7)) {
                continue; // no length, no content
            }
            if (marker == 0 || marker == SOI || marker == EOI || marker == SOS) {
                return Optional.empty();
            }
            int length = in.readUnsignedShort(); // counts itself
            if (length < 2) {
                return Optional.empty();
            }
            if (isFrameHeader(marker)) {
                if (length < 8) {
                    return Optional.empty();
                }
                in.readUnsignedByte(); // sample precision
                int height = in.readUnsignedShort(); // 0: defined later by a DNL segment, so unknown here
                int width = in.readUnsignedShort();
                return ImageSize.of(width, height);
            }
            in.skipNBytes(length - 2);
        }
        return Optional.empty();
    }

    /** SOF0 to SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    }
}
