package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SseParserTest {

    private static final String STREAM = """
            : keep-alive

            data: {"choices":[{"delta":{"content":"Grüße"}}]}

            data: {"choices":[{"delta":{"content":" 👋"}}]}

            event: ignored
            id: 7
            retry: 100
            data: {"choices":[],"usage":{"prompt_tokens":3}}

            data: [DONE]

            """;
    private static final List<String> EVENTS = List.of(
            "{\"choices\":[{\"delta\":{\"content\":\"Grüße\"}}]}",
            "{\"choices\":[{\"delta\":{\"content\":\" 👋\"}}]}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":3}}",
            "[DONE]");

    private static List<String> feedAll(SseParser parser, List<byte[]> buffers) {
        List<String> events = new ArrayList<>();
        for (byte[] buffer : buffers) {
            events.addAll(parser.feed(buffer));
        }
        return events;
    }

    private static List<String> parse(String text) {
        return new SseParser(1 << 20).feed(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void severalEventsInOneBuffer() {
        assertThat(parse(STREAM)).containsExactlyElementsOf(EVENTS);
    }

    @Test
    void anEventSplitAtEveryPossibleByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            SseParser parser = new SseParser(1 << 20);
            List<String> events = feedAll(parser,
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)));
            assertThat(events).as("cut at byte %d", cut).containsExactlyElementsOf(EVENTS);
        }
    }

    @Test
    void oneByteAtATimeAndRandomBuffers() {
        byte[] bytes = STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        List<byte[]> single = new ArrayList<>();
        for (byte b : bytes) {
            single.add(new byte[] { b });
        }
        assertThat(feedAll(new SseParser(1 << 20), single)).containsExactlyElementsOf(EVENTS);
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<byte[]> buffers = new ArrayList<>();
            int at = 0;
            while (at < bytes.length) {
                int size = Math.min(bytes.length - at, 1 + random.nextInt(12));
                buffers.add(Arrays.copyOfRange(bytes, at, at + size));
                at += size;
            }
            assertThat(feedAll(new SseParser(1 << 20), buffers)).containsExactlyElementsOf(EVENTS);
        }
    }

    @Test
    void crlfAndLoneCrLineEnds() {
        assertThat(parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n")).containsExactly("a", "b", "c");
    }

    @Test
    void crlfSplitBetweenBuffers() {
        SseParser parser = new SseParser(1024);
        assertThat(parser.feed("data: a\r".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(parser.feed("\n\r".getBytes(StandardCharsets.UTF_8))).containsExactly("a");
        assertThat(parser.feed("\ndata: b\n\n".getBytes(StandardCharsets.UTF_8))).containsExactly("b");
    }

    @Test
    void commentsAndOtherFieldsAreIgnored() {
        assertThat(parse(": ping\n\n:\n\nevent: x\nid: 1\nfoo: bar\n\n")).isEmpty();
        assertThat(parse(": ping\ndata: x\n: another\n\n")).containsExactly("x");
    }

    @Test
    void multipleDataLinesAreJoinedWithNewlines() {
        assertThat(parse("data: {\"a\":\ndata: 1}\n\n")).containsExactly("{\"a\":\n1}");
    }

    @Test
    void onlyOneSpaceAfterTheColonIsRemoved() {
        assertThat(parse("data:x\n\ndata:  y\n\ndata\n\n")).containsExactly("x", " y", "");
    }

    @Test
    void doneIsReturnedLikeAnyOtherPayload() {
        assertThat(parse("data: [DONE]\n\n")).containsExactly(SseParser.DONE);
    }

    @Test
    void anEventWithoutItsBlankLineIsNotDispatched() {
        SseParser parser = new SseParser(1024);
        assertThat(parser.feed("data: partial\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void aByteOrderMarkIsSkipped() {
        byte[] bom = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };
        SseParser parser = new SseParser(1024);
        assertThat(parser.feed(bom)).isEmpty();
        assertThat(parser.feed("data: x\n\n".getBytes(StandardCharsets.UTF_8))).containsExactly("x");
    }

    @Test
    void anOversizedEventIsRefused() {
        SseParser parser = new SseParser(64);
        assertThatThrownBy(() -> parser.feed(("data: " + "x".repeat(100) + "\n\n").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SseParser.EventTooLargeException.class);
        SseParser lines = new SseParser(64);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20; i++) {
                lines.feed("data: xxxxxx\n".getBytes(StandardCharsets.UTF_8));
            }
        }).isInstanceOf(SseParser.EventTooLargeException.class);
    }
}
