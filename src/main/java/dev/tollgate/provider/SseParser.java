package dev.tollgate.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An incremental parser of a {@code text/event-stream} body (WHATWG HTML, "Server-sent events"),
 * fed with the buffers exactly as the network delivers them: an event may be split over any number
 * of buffers, at any byte (even inside a UTF-8 sequence), and one buffer may hold several events.
 * Lines end with {@code \n}, {@code \r\n} or {@code \r}; lines starting with {@code :} are comments;
 * only the {@code data} field matters here ({@code event}, {@code id}, {@code retry} and unknown
 * fields are ignored). An event is dispatched at a blank line; an event without its blank line when
 * the body ends is discarded, as the specification says. Not thread-safe: one parser per stream,
 * fed from one thread at a time.
 */
final class SseParser {

    /** The data of the event that ends an OpenAI stream; it is returned like any other payload. */
    static final String DONE = "[DONE]";

    /** An event (or a line) grew past the limit: the stream is malformed or hostile. */
    static final class EventTooLargeException extends RuntimeException {
        EventTooLargeException(int limit) {
            super("server-sent event larger than " + limit + " bytes", null, false, false);
        }
    }

    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean lastWasCr;
    private int bomBytesSeen;
    private boolean started;

    SseParser(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be positive");
        }
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Feeds the next bytes of the body.
     *
     * @return the {@code data} of every event these bytes completed, in order (often empty)
     * @throws EventTooLargeException if an event grows past the limit
     */
    List<String> feed(byte[] bytes) {
        List<String> events = new ArrayList<>(2);
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (!started && skipBom(b)) {
                continue;
            }
            if (lastWasCr) {
                lastWasCr = false;
                if (b == '\n') {
                    continue; // the second half of \r\n
                }
            }
            if (b == '\r') {
                lastWasCr = true;
                endOfLine(events);
            } else if (b == '\n') {
                endOfLine(events);
            } else {
                append(b);
            }
        }
        return events;
    }

    /** A UTF-8 byte order mark may open the stream; it is not part of the first line. */
    private boolean skipBom(byte b) {
        final byte[] bom = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };
        if (b == bom[bomBytesSeen]) {
            bomBytesSeen++;
            if (bomBytesSeen == bom.length) {
                started = true;
            }
            return true;
        }
        started = true;
        // A partial match was not a BOM after all: its bytes belong to the line.
        for (int j = 0; j < bomBytesSeen; j++) {
            append(bom[j]);
        }
        return false;
    }

    private void append(byte b) {
        if (lineLength + data.length() >= maxEventBytes) {
            throw new EventTooLargeException(maxEventBytes);
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(line.length * 2, maxEventBytes));
        }
        line[lineLength++] = b;
    }

    private void endOfLine(List<String> events) {
        started = true;
        if (lineLength == 0) {
            if (hasData) {
                events.add(data.toString());
            }
            data.setLength(0);
            hasData = false;
            return;
        }
        // \r and \n never occur inside a multi-byte UTF-8 sequence, so a line is always whole characters.
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (text.charAt(0) == ':') {
            return; // comment (e.g. a keep-alive ": ping")
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        if (!field.equals("data")) {
            return;
        }
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (hasData) {
            data.append('\n');
        }
        data.append(value);
        hasData = true;
    }
}
