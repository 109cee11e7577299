package dev.tollgate.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the pixel size of an inline image, and never throwing on anything a client can send. */
class ImageSizeTest {

    // Builders of images: real ones written by ImageIO, hand-made headers where the JDK has no writer.

    static byte[] written(String format, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xff8800);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, format, out)).as("the JDK writes " + format).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String dataUrl(String mediaType, byte[] bytes) {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** A lossy WebP: RIFF header, a VP8 chunk with a key frame's tag, start code and 14-bit sides. */
    static byte[] webpLossy(int width, int height) {
        byte[] bytes = riff("VP8 ", 10);
        bytes[20] = 0x10; // frame tag: bit 0 clear, a key frame
        bytes[23] = (byte) 0x9d;
        bytes[24] = 0x01;
        bytes[25] = 0x2a;
        putLe(bytes, 26, width, 2);
        putLe(bytes, 28, height, 2);
        return bytes;
    }

    /** A lossless WebP: a VP8L chunk, signature 0x2F, then width - 1 and height - 1 in 14 bits each. */
    static byte[] webpLossless(int width, int height) {
        byte[] bytes = riff("VP8L", 5);
        bytes[20] = 0x2f;
        putLe(bytes, 21, (width - 1) | (long) (height - 1) << 14, 4);
        return bytes;
    }

    /** An extended WebP: a VP8X chunk, flags, then canvas width - 1 and height - 1 in 24 bits each. */
    static byte[] webpExtended(int width, int height) {
        byte[] bytes = riff("VP8X", 10);
        putLe(bytes, 24, width - 1, 3);
        putLe(bytes, 27, height - 1, 3);
        return bytes;
    }

    private static byte[] riff(String fourCc, int chunkBytes) {
        byte[] bytes = new byte[20 + chunkBytes];
        put(bytes, 0, "RIFF");
        putLe(bytes, 4, bytes.length - 8, 4);
        put(bytes, 8, "WEBP");
        put(bytes, 12, fourCc);
        putLe(bytes, 16, chunkBytes, 4);
        return bytes;
    }

    /** A JPEG made of the given segments after SOI, then EOI. */
    static byte[] jpeg(byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xff);
        out.write(0xd8);
        for (byte[] segment : segments) {
            out.writeBytes(segment);
        }
        out.write(0xff);
        out.write(0xd9);
        return out.toByteArray();
    }

    /** A marker segment: 0xFF, the marker, the length (counting itself) and the content. */
    static byte[] segment(int marker, byte[] content) {
        byte[] bytes = new byte[4 + content.length];
        bytes[0] = (byte) 0xff;
        bytes[1] = (byte) marker;
        bytes[2] = (byte) ((content.length + 2) >> 8);
        bytes[3] = (byte) (content.length + 2);
        System.arraycopy(content, 0, bytes, 4, content.length);
        return bytes;
    }

    /** A frame header's content: precision 8, height, width, one component. */
    static byte[] frame(int width, int height) {
        return new byte[] { 8, (byte) (height >> 8), (byte) height, (byte) (width >> 8), (byte) width, 1, 1, 0x11, 0 };
    }

    private static void put(byte[] bytes, int offset, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            bytes[offset + i] = (byte) ascii.charAt(i);
        }
    }

    private static void putLe(byte[] bytes, int offset, long value, int count) {
        for (int i = 0; i < count; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    private static Optional<ImageSize> sizeOf(byte[] bytes) {
        return ImageSize.fromDataUrl(dataUrl("image/png", bytes));
    }

    // Each format, from a tiny image.

    @Test
    void aPngIsReadFromItsIhdrChunk() {
        assertThat(sizeOf(written("png", 3, 2))).contains(new ImageSize(3, 2));
        assertThat(sizeOf(written("png", 1, 1))).contains(new ImageSize(1, 1));
        assertThat(sizeOf(written("png", 1000, 7))).contains(new ImageSize(1000, 7));
    }

    @Test
    void aGifIsReadFromItsLogicalScreen() {
        byte[] gif = written("gif", 5, 4);
        assertThat(new String(gif, 0, 6)).isEqualTo("GIF89a");
        assertThat(sizeOf(gif)).contains(new ImageSize(5, 4));
        byte[] gif87 = gif.clone();
        gif87[4] = '7';
        assertThat(sizeOf(gif87)).contains(new ImageSize(5, 4));
    }

    @Test
    void aJpegIsReadFromItsFirstFrameHeader() {
        byte[] jpeg = written("jpg", 17, 9);
        assertThat(jpeg[3] & 0xff).as("ImageIO's JPEG starts with a JFIF APP0 segment").isEqualTo(0xe0);
        assertThat(sizeOf(jpeg)).contains(new ImageSize(17, 9));
    }

    @Test
    void aJpegSkipsAnExifSegmentAndTheThumbnailInsideIt() {
        // An APP1 "Exif" segment whose content holds a whole thumbnail JPEG of 160x120.
        byte[] thumbnail = jpeg(segment(0xc0, frame(160, 120)));
        byte[] exif = new byte[6 + thumbnail.length];
        System.arraycopy("Exif\0\0".getBytes(), 0, exif, 0, 6);
        System.arraycopy(thumbnail, 0, exif, 6, thumbnail.length);
        byte[] photo = jpeg(segment(0xe1, exif), segment(0xdb, new byte[65]), segment(0xc0, frame(4032, 3024)));

        assertThat(sizeOf(photo)).contains(new ImageSize(4032, 3024));
    }

    @ParameterizedTest(name = "SOF marker 0x{0}")
    @ValueSource(strings = { "c0", "c1", "c2", "c3", "c5", "c6", "c7", "c9", "ca", "cb", "cd", "ce", "cf" })
    void everyFrameHeaderKindGivesTheSize(String marker) {
        assertThat(sizeOf(jpeg(segment(Integer.parseInt(marker, 16), frame(640, 480))))).contains(new ImageSize(640, 480));
    }

    @Test
    void tablesThatShareTheFrameHeaderRangeAreSkipped() {
        // DHT (C4), JPG (C8) and DAC (CC) are not frame headers: their bytes would read as 1x1.
        byte[] notAFrame = { 8, 0, 1, 0, 1, 0, 0, 0, 0 };
        byte[] jpeg = jpeg(segment(0xc4, notAFrame), segment(0xc8, notAFrame), segment(0xcc, notAFrame),
                segment(0xc2, frame(300, 200)));
        assertThat(sizeOf(jpeg)).contains(new ImageSize(300, 200));
    }

    @Test
    void fillBytesAndStandaloneMarkersBeforeASegmentAreAllowed() {
        byte[] fill = { (byte) 0xff, (byte) 0xff, (byte) 0xff };
        byte[] restart = { (byte) 0xff, (byte) 0xd3 };
        assertThat(sizeOf(jpeg(fill, segment(0xe0, new byte[14]), restart, segment(0xc0, frame(20, 10)))))
                .contains(new ImageSize(20, 10));
    }

    @Test
    void aLossyWebpIsReadFromItsKeyFrame() {
        assertThat(sizeOf(webpLossy(550, 368))).contains(new ImageSize(550, 368));
        // The top two bits of each side are a scale, not part of the size.
        byte[] scaled = webpLossy(550, 368);
        scaled[27] |= (byte) 0xc0;
        scaled[29] |= (byte) 0x40;
        assertThat(sizeOf(scaled)).contains(new ImageSize(550, 368));
    }

    @Test
    void aLosslessWebpIsReadFromItsFourteenBitSides() {
        assertThat(sizeOf(webpLossless(1, 1))).contains(new ImageSize(1, 1));
        assertThat(sizeOf(webpLossless(386, 395))).contains(new ImageSize(386, 395));
        assertThat(sizeOf(webpLossless(16384, 16384))).contains(new ImageSize(16384, 16384));
    }

    @Test
    void anExtendedWebpIsReadFromItsCanvas() {
        assertThat(sizeOf(webpExtended(400, 301))).contains(new ImageSize(400, 301));
        assertThat(sizeOf(webpExtended(1 << 24, 1))).contains(new ImageSize(1 << 24, 1));
    }

    // The data URL.

    @Test
    void theFormatIsSniffedFromTheBytesNotTheDeclaredMediaType() {
        byte[] png = written("png", 3, 2);
        assertThat(ImageSize.fromDataUrl(dataUrl("image/jpeg", png))).contains(new ImageSize(3, 2));
        assertThat(ImageSize.fromDataUrl(dataUrl("application/octet-stream", png))).contains(new ImageSize(3, 2));
        assertThat(ImageSize.fromDataUrl(dataUrl("", png))).contains(new ImageSize(3, 2));
        assertThat(ImageSize.fromDataUrl("DATA:image/png;name=a.png;BASE64," + Base64.getEncoder().encodeToString(png)))
                .contains(new ImageSize(3, 2));
    }

    @Test
    void onlyTheBytesUpToTheSizeAreDecoded() {
        // A valid PNG header followed by text that is not base64: the size is read before it.
        String url = dataUrl("image/png", Arrays.copyOf(written("png", 640, 480), 24)) + "!!! not base64 !!!";
        assertThat(ImageSize.fromDataUrl(url)).contains(new ImageSize(640, 480));
        // The same text inside the header is refused.
        assertThat(ImageSize.fromDataUrl("data:image/png;base64,iVBO!!!")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.com/cat.png",
            "http://example.com/cat.png",
            "HTTPS://EXAMPLE.COM/CAT.PNG",
            "ftp://example.com/cat.png",
            "file:///etc/passwd",
            "",
            "data:",
            "data:image/png;base64",
            "data:image/png,iVBORw0KGgo=", // not base64: percent-encoded bytes are not read
            "data:image/png;base64,",
            "data:image/png;base64,====",
            "data:image/png;base64,iVBORw0KGgo", // a PNG signature and nothing more
            "data:image/png;base64,R0lGODlh", // "GIF89a" and nothing more
            "data:image/png;base64,/9j/", // a JPEG's SOI and nothing more
            "data:image/png;base64,UklGRgAAAABXRUJQ", // "RIFF....WEBP" and nothing more
            "data:image/png;base64,aGVsbG8gd29ybGQ=", // "hello world"
    })
    void aUrlThatIsNotAnInlineImageHasNoKnownSize(String url) {
        assertThat(ImageSize.fromDataUrl(url)).isEmpty();
    }

    @Test
    void nullHasNoKnownSize() {
        assertThat(ImageSize.fromDataUrl(null)).isEmpty();
    }

    @Test
    void aMediaTypeLongerThanTheHeaderLimitIsNotRead() {
        String png = Base64.getEncoder().encodeToString(written("png", 3, 2));
        String longest = "image/png;x=" + "a".repeat(DataUrl.MAX_HEADER_CHARS - "image/png;x=;base64".length()) + ";base64";
        assertThat(longest).hasSize(DataUrl.MAX_HEADER_CHARS);
        assertThat(ImageSize.fromDataUrl("data:" + longest + "," + png)).contains(new ImageSize(3, 2));
        assertThat(ImageSize.fromDataUrl("data:a" + longest + "," + png)).isEmpty();
    }

    @Test
    void charactersOutsideAsciiAreRefusedNotFoldedIntoBase64() {
        // U+0141 would read as 0x41 ('A') if chars were cast to bytes.
        String png = Base64.getEncoder().encodeToString(written("png", 3, 2));
        assertThat(ImageSize.fromDataUrl("data:image/png;base64,\u0141" + png.substring(1))).isEmpty();
    }

    // Sizes the header declares.

    @Test
    void aZeroSideIsUnknownInEveryFormat() {
        byte[] png = written("png", 3, 2);
        byte[] zeroPng = png.clone();
        Arrays.fill(zeroPng, 16, 20, (byte) 0);
        byte[] gif = written("gif", 5, 4);
        byte[] zeroGif = gif.clone();
        zeroGif[8] = 0;
        zeroGif[9] = 0;

        assertThat(sizeOf(zeroPng)).isEmpty();
        assertThat(sizeOf(zeroGif)).isEmpty();
        assertThat(sizeOf(webpLossy(0, 368))).isEmpty();
        assertThat(sizeOf(jpeg(segment(0xc0, frame(640, 0))))).as("height 0: defined later by DNL").isEmpty();
        assertThat(sizeOf(jpeg(segment(0xc0, frame(0, 480))))).isEmpty();
    }

    @Test
    void hugeDeclaredSizesAreReadAsDeclared() {
        byte[] png = written("png", 3, 2);
        byte[] widest = png.clone();
        widest[16] = 0x7f;
        widest[17] = widest[18] = widest[19] = (byte) 0xff;
        assertThat(sizeOf(widest)).contains(new ImageSize(Integer.MAX_VALUE, 2));
        // 2^31 and more is not a PNG size.
        byte[] negative = png.clone();
        negative[16] = (byte) 0x80;
        assertThat(sizeOf(negative)).isEmpty();
        assertThat(sizeOf(jpeg(segment(0xc0, frame(65535, 65535))))).contains(new ImageSize(65535, 65535));
        assertThat(sizeOf(webpExtended(1 << 24, 1 << 24))).contains(new ImageSize(1 << 24, 1 << 24));
    }

    @Test
    void anIhdrOfTheWrongLengthOrNameIsRefused() {
        byte[] png = written("png", 3, 2);
        byte[] longer = png.clone();
        longer[11] = 14;
        byte[] renamed = png.clone();
        renamed[12] = 'i';
        assertThat(sizeOf(longer)).isEmpty();
        assertThat(sizeOf(renamed)).isEmpty();
    }

    @Test
    void malformedJpegSegmentsMakeTheSizeUnknown() {
        byte[] tooShortLength = { (byte) 0xff, (byte) 0xe0, 0, 1 };
        byte[] zeroLength = { (byte) 0xff, (byte) 0xe0, 0, 0 };
        byte[] notAMarker = { 0x12, 0x34 };
        byte[] stuffedZero = { (byte) 0xff, 0x00 };
        byte[] scanFirst = segment(0xda, new byte[10]);
        byte[] shortFrame = segment(0xc0, new byte[] { 8, 0, 1 });
        byte[] appBeyondTheEnd = { (byte) 0xff, (byte) 0xe1, (byte) 0xff, (byte) 0xff, 1, 2, 3 };

        for (byte[] bad : List.of(tooShortLength, zeroLength, notAMarker, stuffedZero, scanFirst, shortFrame)) {
            assertThat(sizeOf(jpeg(bad, segment(0xc0, frame(20, 10))))).as(Arrays.toString(bad)).isEmpty();
        }
        assertThat(sizeOf(jpeg(appBeyondTheEnd))).isEmpty();
        assertThat(sizeOf(jpeg())).as("SOI then EOI").isEmpty();
        assertThat(sizeOf(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd8 })).as("SOI twice").isEmpty();
    }

    @Test
    void aJpegWithMoreSegmentsThanTheBoundBeforeItsFrameIsUnknown() {
        byte[][] segments = new byte[JpegHeader.MAX_SEGMENTS + 1][];
        for (int i = 0; i < JpegHeader.MAX_SEGMENTS; i++) {
            segments[i] = segment(0xfe, new byte[0]); // empty comments
        }
        segments[JpegHeader.MAX_SEGMENTS] = segment(0xc0, frame(20, 10));
        assertThat(sizeOf(jpeg(segments))).isEmpty();
        // One fewer comment and the frame header is within the bound.
        assertThat(sizeOf(jpeg(Arrays.copyOfRange(segments, 1, segments.length)))).contains(new ImageSize(20, 10));
    }

    @Test
    void aJpegIsNotReadPastTheDecodingLimit() {
        // A frame header after 4 MiB of padding segments lies beyond the base64 characters decoded.
        List<byte[]> segments = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            segments.add(segment(0xe2, new byte[65533]));
        }
        segments.add(segment(0xc0, frame(20, 10)));
        byte[] jpeg = jpeg(segments.toArray(byte[][]::new));
        assertThat(Base64.getEncoder().encodeToString(jpeg).length()).isGreaterThan(DataUrl.MAX_PAYLOAD_CHARS);
        assertThat(sizeOf(jpeg)).isEmpty();
        // Within the limit, the same layout is read.
        assertThat(sizeOf(jpeg(segments.subList(40, 51).toArray(byte[][]::new)))).contains(new ImageSize(20, 10));
    }

    // Hostile input never throws.

    @Test
    void everyTruncationOfEveryFormatIsUnknownAndNeverThrows() {
        List<byte[]> images = List.of(written("png", 3, 2), written("gif", 5, 4), written("jpg", 17, 9),
                webpLossy(550, 368), webpLossless(386, 395), webpExtended(400, 301));
        for (byte[] image : images) {
            int complete = headerEnd(image);
            for (int length = 0; length < complete; length++) {
                byte[] truncated = Arrays.copyOf(image, length);
                assertThat(sizeOf(truncated)).as("%d of %d bytes", length, image.length).isEmpty();
            }
            assertThat(sizeOf(Arrays.copyOf(image, complete))).as("the header alone").isPresent();
        }
    }

    /** The number of bytes up to the end of the size, found by trying every prefix. */
    private static int headerEnd(byte[] image) {
        for (int length = 0; length <= image.length; length++) {
            if (sizeOf(Arrays.copyOf(image, length)).isPresent()) {
                return length;
            }
        }
        throw new AssertionError("no prefix has a size");
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(20240611L);
        byte[][] signatures = { {}, { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' }, "GIF89a".getBytes(),
                { (byte) 0xff, (byte) 0xd8 }, { (byte) 0xff, (byte) 0xd8, (byte) 0xff }, "RIFF\0\0\0\0WEBPVP8 ".getBytes(),
                "RIFF\0\0\0\0WEBPVP8L".getBytes(), "RIFF\0\0\0\0WEBPVP8X".getBytes() };
        for (int i = 0; i < 20_000; i++) {
            byte[] signature = signatures[i % signatures.length];
            byte[] bytes = new byte[signature.length + random.nextInt(200)];
            random.nextBytes(bytes);
            System.arraycopy(signature, 0, bytes, 0, signature.length);
            String url = dataUrl("image/png", bytes);
            assertThatCode(() -> ImageSize.fromDataUrl(url)).as("bytes %s", Arrays.toString(bytes)).doesNotThrowAnyException();
        }
    }

    @Test
    void randomTextNeverThrows() {
        Random random = new Random(7L);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ,;:%\n\u00e9\u0141\uD83D\uDE00";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(i % 2 == 0 ? "data:image/png;base64," : "data:");
            int length = random.nextInt(80);
            for (int c = 0; c < length; c++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String url = text.toString();
            assertThatCode(() -> ImageSize.fromDataUrl(url)).as(url).doesNotThrowAnyException();
        }
    }

    // The record.

    @Test
    void aSizeHasTwoPositiveSides() {
        assertThatThrownBy(() -> new ImageSize(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageSize(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ImageSize.of(0, 5)).isEmpty();
        assertThat(ImageSize.of(5, 1L + Integer.MAX_VALUE)).isEmpty();
        assertThat(ImageSize.of(Integer.MAX_VALUE, 1)).contains(new ImageSize(Integer.MAX_VALUE, 1));
    }
}
