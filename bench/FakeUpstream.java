import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake OpenAI-compatible upstream for the benchmarks and the fault run, which bills every call the
 * way OpenAI bills it and can write down what it billed. Run as a single source file with jtokkit
 * (from the packaged app's {@code lib/main}) on the class path:
 *
 * <pre>
 *   java -cp target/quarkus-app/lib/main/com.knuddels.jtokkit-1.1.0.jar bench/FakeUpstream.java \
 *       --port 0 --port-file /tmp/fake.port [--threads 16] [--billing-file /tmp/billed.tsv]
 * </pre>
 *
 * {@code POST /v1/chat/completions}: without {@code "stream": true} a {@code chat.completion} JSON
 * with the answer and {@code usage}; with it, server-sent events like OpenAI's: a comment line, one
 * {@code chat.completion.chunk} per output token (the first with the role), one with the
 * {@code finish_reason}, then — if {@code stream_options.include_usage} is set — a chunk with
 * {@code choices: []} and {@code usage}, then {@code data: [DONE]}. Every event is flushed as its
 * own HTTP chunk, as a real upstream sends them. The answer is five words ("Hello from the fake
 * upstream", one token each) unless directives say otherwise.
 *
 * <p><b>Billing</b>, as the tests' {@code FakeProvider}/{@code FakeBilling} (src/test/java/dev/tollgate/testing)
 * and independent of Tollgate's own estimation:
 * <ul>
 * <li>prompt_tokens: the request counted as OpenAI bills a gpt-4o-family model, on o200k_base —
 * per message 3 + role + text content + name (+1); an assistant's {@code tool_calls} add name +
 * arguments + 3 each; {@code tools} rendered as OpenAI renders them into the system prompt
 * ({@code namespace functions { … }}) + 9 (− 4 with a system message, whose text then ends with a
 * newline); {@code tool_choice} "none" + 1, a named one its name + 4; a {@code response_format}
 * json_schema its compact JSON; each {@code image_url} part by the gpt-4o tile rule (85 + 170 per
 * 512-px tile after fitting in 2048×2048 and scaling the short side to 768; 85 at low detail) with
 * the size read from a {@code data:} URL, an http(s) URL at 768×2048 (the largest the rule leaves);
 * + 3 for the reply;</li>
 * <li>completion_tokens: the output generated within the request's budget
 * ({@code max_completion_tokens}, else {@code max_tokens}): reasoning first (hidden, counted), then
 * the words or the tool call's name and argument pieces, one token each; {@code finish_reason:
 * "length"} when the budget ran out.</li>
 * </ul>
 * A client that closes a stream before its end is billed what was written until then (the prompt,
 * the reasoning once the first event left, one token per content event); one that left before the
 * answer began, nothing.
 *
 * <p><b>Directives</b> in the text of the last user message (the fault run's driver sends them):
 * {@code [[fake:tag=KEY]]} names the call in the billing file; {@code [[fake:words=N]]} (N at most 50,000) answers
 * {@code "w1 w2 … wN"}; {@code [[fake:reasoning=N]]} reasons N tokens first;
 * {@code [[fake:cached=N]]} reports N of the prompt tokens as cached (at most all of them);
 * {@code [[fake:no-usage]]} reports no usage (no usage chunk, no {@code usage} in the body);
 * {@code [[fake:tool-call=NAME]]} answers a call of function NAME with arguments
 * {@code {"w":"w1 … wN"}} (N = words, default 5), streamed as OpenAI streams tool calls;
 * {@code [[fake:chunk-delay-ms=N]]} waits N ms (at most 2000) between stream events;
 * {@code [[fake:ignore-max-tokens]]} generates everything asked, past the request's budget (and bills
 * it: a provider that overruns); {@code [[fake:final-hold-ms=N]]} holds a stream's last event
 * ({@code [DONE]}) back N ms (at most 5000) after the final chunk (the usage, or the finish reason
 * without usage); {@code [[fake:stall]]} takes the call and never answers: after 6 s (the caller has
 * given up by then) it closes the connection without a byte, and bills the call as run in full — the
 * provider may have run it, which is what a caller's "outcome unknown" must cover. An unknown
 * directive is answered 400.
 *
 * <p><b>Billing file</b> ({@code --billing-file}): one tab-separated line per call when the fake
 * ends it — tag ({@code -} without one), model, prompt_tokens, cached_tokens, completion_tokens,
 * reasoning_tokens, usage reported to the client ({@code t}/{@code f}), cut by the client
 * ({@code t}/{@code f}), started and ended (ISO-8601 UTC), and the output budget the request
 * carried ({@code \N} without one), and when the final chunk of a stream held back by
 * {@code final-hold-ms} was written ({@code \N} for the others). Cached is part of prompt, reasoning
 * part of completion, as in OpenAI's usage.
 *
 * <p>{@code GET /stats}: {@code {"requests":N,"streams":M,"not_found":K,"stalled":S,"bad_requests":B,"cut_by_client":C,"open":O,
 * "holding_final":H,"unanswered":U}} since start ({@code open}: completions not yet ended; {@code holding_final}:
 * streams holding their last event back right now; {@code unanswered}: {@code [[fake:stall]]} calls so far).
 *
 * <p>A stalled provider, switched at run time (the fault run's): {@code POST /control/stall?seconds=N}
 * (0 &lt; N &lt;= 300) makes every completion that arrives in the next N seconds hang until then — a
 * non-streaming one before its first byte, a stream after its first two events — and then answer
 * as usual (to a caller that has usually given up); {@code seconds=0} ends a stall at once. After
 * any pause (a stall, a chunk delay) the fake writes an SSE comment (a stream) or a space (JSON)
 * and waits 10 ms before the next event, so that a caller that has left meanwhile is seen (its
 * reset arrives) before another token is counted as delivered.
 *
 * <p>Built not to be the bottleneck: one acceptor/dispatcher thread and a fixed pool of handler
 * threads ({@code com.sun.net.httpserver}), HTTP/1.1 keep-alive, TCP_NODELAY (so that the small
 * writes of a stream are not held back by Nagle's algorithm), a small JSON reader of its own. The
 * bound port is written to {@code --port-file} once the server listens; SIGTERM stops it.
 */
public class FakeUpstream {

    static final Pattern DIRECTIVE = Pattern.compile("\\[\\[fake:([a-z-]+)(?:=([^\\]]*))?\\]\\]");
    static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    static final List<String> WORDS = List.of("Hello", " from", " the", " fake", " upstream");
    static final int DEFAULT_TOOL_WORDS = 5;
    static final long MAX_CHUNK_DELAY_MS = 2_000;
    static final long MAX_FINAL_HOLD_MS = 5_000;
    static final int MAX_WORDS = 50_000;
    /** How long a {@code [[fake:stall]]} call is kept before its connection is closed unanswered. */
    static final long UNANSWERED_MS = 6_000;
    static final long PROBE_WAIT_MS = 10;
    static final String TOOL_CALL_ID = "call_fake";
    static final byte[] OPENING = ": fake upstream\n\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PROBE = ": \n\n".getBytes(StandardCharsets.US_ASCII);

    static final LongAdder requests = new LongAdder();
    static final LongAdder streams = new LongAdder();
    static final LongAdder notFound = new LongAdder();
    static final LongAdder stalled = new LongAdder();
    static final LongAdder badRequests = new LongAdder();
    static final LongAdder cutByClient = new LongAdder();
    static final LongAdder unanswered = new LongAdder();
    /** Streams holding their last event back ({@code final-hold-ms}) right now. */
    static final AtomicLong holdingFinal = new AtomicLong();
    /** Completions accepted and not yet ended (stalled and slow ones included). */
    static final AtomicLong open = new AtomicLong();
    /** Until when completions hang (System.nanoTime()); in the past: no stall. */
    static volatile long stallUntilNanos = System.nanoTime();
    static final Pattern SECONDS = Pattern.compile("(?:^|&)seconds=(\\d{1,3})(?:&|$)");
    static final AtomicLong ids = new AtomicLong();
    /** The billing file, or null. */
    static PrintWriter billing;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "0"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "16"));
        System.setProperty("java.awt.headless", "true");
        // Read once, when the HttpServer implementation is first used: set them before.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1024");
        String billingFile = opts.get("billing-file");
        if (billingFile != null) {
            billing = new PrintWriter(Files.newBufferedWriter(Path.of(billingFile), StandardCharsets.UTF_8), false);
        }
        Billing.tokens("warm up"); // loads the encoding before the first request

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fake-upstream-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", FakeUpstream::handle);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            if (billing != null) {
                synchronized (FakeUpstream.class) {
                    billing.close();
                }
            }
        }, "fake-upstream-stop"));

        int bound = server.getAddress().getPort();
        String portFile = opts.get("port-file");
        if (portFile != null) {
            Path tmp = Path.of(portFile + ".tmp");
            Files.writeString(tmp, bound + "\n");
            Files.move(tmp, Path.of(portFile), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.err.printf(Locale.ROOT, "[fake-upstream] listening on http://127.0.0.1:%d/v1 with %d handler threads%s%n",
                bound, threads, billingFile == null ? "" : ", billing to " + billingFile);
        Thread.currentThread().join();
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes(); // drained, so that the connection can be kept alive
            }
            if (method.equals("POST") && path.equals("/v1/chat/completions")) {
                requests.increment();
                open.incrementAndGet();
                try {
                    chat(exchange, new String(body, StandardCharsets.UTF_8));
                } finally {
                    open.decrementAndGet();
                }
            } else if (method.equals("POST") && path.equals("/control/stall")) {
                Matcher seconds = SECONDS.matcher(String.valueOf(exchange.getRequestURI().getQuery()));
                int n = seconds.find() ? Integer.parseInt(seconds.group(1)) : -1;
                if (n < 0 || n > 300) {
                    send(exchange, 400, "{\"error\":\"seconds=0..300 expected\"}");
                    return;
                }
                stallUntilNanos = System.nanoTime() + n * 1_000_000_000L;
                System.err.printf(Locale.ROOT, "[fake-upstream] %s%n", n == 0 ? "stall ended" : "stalled for " + n + " s");
                send(exchange, 200, "{\"stall_seconds\":" + n + "}");
            } else if (method.equals("GET") && path.equals("/stats")) {
                send(exchange, 200, ("{\"requests\":%d,\"streams\":%d,\"not_found\":%d,\"stalled\":%d,\"bad_requests\":%d,"
                        + "\"cut_by_client\":%d,\"open\":%d,\"holding_final\":%d,\"unanswered\":%d}").formatted(requests.sum(),
                                streams.sum(), notFound.sum(), stalled.sum(), badRequests.sum(), cutByClient.sum(), open.get(),
                                holdingFinal.get(), unanswered.sum()));
            } else {
                notFound.increment();
                send(exchange, 404, error("Unknown path"));
            }
        }
    }

    // ---------------------------------------------------------------- the chat call

    static void chat(HttpExchange exchange, String text) throws IOException {
        Instant started = Instant.now();
        Map<String, Object> body;
        Directives directives;
        try {
            body = Json.parse(text) instanceof Map<?, ?> m ? Json.object(m) : null;
            if (body == null || !(body.get("messages") instanceof List<?>)) {
                throw new IllegalArgumentException("a JSON object with messages is expected");
            }
            directives = Directives.of(lastUserContent(body));
        } catch (IllegalArgumentException e) {
            badRequests.increment();
            send(exchange, 400, error("Bad request: " + e.getMessage()));
            return;
        }
        String model = body.get("model") instanceof String m ? m : "unknown";
        long prompt = Billing.countPrompt(body);
        Call call = new Call(directives.tag, model, prompt, Math.min(directives.cached, prompt), Output.of(directives, body),
                started);
        if (directives.unanswered) {
            // Taken and never answered: the caller gives up (its first-byte timeout); the provider ran it.
            unanswered.increment();
            pause(UNANSWERED_MS);
            call.answered = true;
            call.written(call.output.completionTokens(), false);
            call.bill(true);
            exchange.close(); // before any header: the connection is closed without a byte
            return;
        }
        long stallUntil = stallUntilNanos;
        boolean stall = stallUntil - System.nanoTime() > 0;
        if (stall) {
            stalled.increment();
        }
        try {
            if (Boolean.TRUE.equals(body.get("stream"))) {
                streams.increment();
                boolean includeUsage = body.get("stream_options") instanceof Map<?, ?> options
                        && Boolean.TRUE.equals(options.get("include_usage"));
                stream(exchange, call, directives, includeUsage, stall ? stallUntil : 0);
            } else {
                once(exchange, call, directives, stall ? stallUntil : 0);
            }
        } catch (IOException e) {
            cutByClient.increment();
            call.bill(true);
        }
    }

    /** A chat.completion in one body (after a stall: the headers, a space, 10 ms, then the body). */
    static void once(HttpExchange exchange, Call call, Directives d, long stallUntil) throws IOException {
        byte[] bytes = completion(call, d).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (stallUntil == 0) {
            call.answered = true;
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } else {
            sleepUntil(stallUntil);
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream out = exchange.getResponseBody();
            probe(out, new byte[] { ' ' }); // leading whitespace is valid JSON
            call.answered = true;
            out.write(bytes);
            out.close();
        }
        call.written(call.output.completionTokens(), !d.noUsage);
        call.bill(false);
    }

    /** @param stallUntil 0, or the System.nanoTime() until which the stream hangs after its first two events */
    static void stream(HttpExchange exchange, Call call, Directives d, boolean includeUsage, long stallUntil) throws IOException {
        List<Event> events = streamEvents(call, d, includeUsage);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        call.answered = true;
        exchange.sendResponseHeaders(200, 0); // chunked
        OutputStream out = exchange.getResponseBody();
        out.write(OPENING);
        out.flush();
        boolean paused = false;
        for (int i = 0; i < events.size(); i++) {
            if (i > 0 && d.chunkDelayMs > 0) {
                pause(d.chunkDelayMs);
                paused = true;
            }
            if (paused) {
                probe(out, PROBE);
                paused = false;
            }
            Event event = events.get(i);
            if (i == events.size() - 1 && d.finalHoldMs > 0) {
                // [DONE] held back after the final chunk: a caller killed now has the whole answer, unsettled.
                call.finalAt = Instant.now();
                holdingFinal.incrementAndGet();
                try {
                    pause(d.finalHoldMs);
                } finally {
                    holdingFinal.decrementAndGet();
                }
                probe(out, PROBE);
            }
            out.write(("data: " + event.data() + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            call.written(event.tokens(), event.usage());
            if (i == 1 && stallUntil != 0) {
                sleepUntil(stallUntil);
                paused = true;
            }
        }
        out.close();
        call.bill(false);
    }

    /**
     * After a pause: writes a harmless byte sequence and waits a moment, so that a caller that has
     * closed its connection answers with a reset, and the next write fails instead of being counted.
     */
    static void probe(OutputStream out, byte[] harmless) throws IOException {
        out.write(harmless);
        out.flush();
        pause(PROBE_WAIT_MS);
    }

    /** One server-sent event: its data, the generated tokens it carries, whether it is the usage chunk. */
    record Event(String data, long tokens, boolean usage) {
    }

    static List<Event> streamEvents(Call call, Directives d, boolean includeUsage) {
        Output output = call.output;
        String model = call.model;
        List<Event> events = new ArrayList<>();
        if (output.toolName() != null) {
            events.add(new Event(chunk(model, "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                    + "[{\"index\":0,\"id\":\"" + TOOL_CALL_ID + "\",\"type\":\"function\",\"function\":{\"name\":"
                    + Json.quote(output.toolName()) + ",\"arguments\":\"\"}}]},\"finish_reason\":null}]", includeUsage), 0, false));
            for (String piece : output.pieces()) {
                events.add(new Event(chunk(model, "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + Json.quote(piece) + "}}]},\"finish_reason\":null}]", includeUsage), 1, false));
            }
        } else {
            for (int i = 0; i < output.pieces().size(); i++) {
                events.add(new Event(chunk(model, "[{\"index\":0,\"delta\":{" + (i == 0 ? "\"role\":\"assistant\"," : "")
                        + "\"content\":" + Json.quote(output.pieces().get(i)) + "},\"finish_reason\":null}]", includeUsage), 1, false));
            }
        }
        events.add(new Event(chunk(model, "[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + output.finishReason() + "\"}]",
                includeUsage), 0, false));
        if (includeUsage && !d.noUsage) {
            events.add(new Event(head(model) + "[],\"usage\":" + usage(call) + "}", 0, true));
        }
        events.add(new Event("[DONE]", 0, false));
        // The reasoning (and a tool's name) are generated before the first event leaves.
        events.set(0, new Event(events.get(0).data(), events.get(0).tokens() + output.leadTokens(), events.get(0).usage()));
        return events;
    }

    static String head(String model) {
        return "{\"id\":\"chatcmpl-fake" + ids.incrementAndGet() + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(model) + ",\"choices\":";
    }

    /** A chunk; with include_usage, every chunk but the last carries {@code "usage": null}, as OpenAI's do. */
    static String chunk(String model, String choices, boolean nullUsage) {
        return head(model) + choices + (nullUsage ? ",\"usage\":null}" : "}");
    }

    static String completion(Call call, Directives d) {
        Output output = call.output;
        String message = output.toolName() == null
                ? "{\"role\":\"assistant\",\"content\":" + Json.quote(output.joined()) + "}"
                : "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"" + TOOL_CALL_ID
                        + "\",\"type\":\"function\",\"function\":{\"name\":" + Json.quote(output.toolName())
                        + ",\"arguments\":" + Json.quote(output.joined()) + "}}]}";
        return "{\"id\":\"chatcmpl-fake" + ids.incrementAndGet() + "\",\"object\":\"chat.completion\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(call.model)
                + ",\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + output.finishReason() + "\"}]"
                + (d.noUsage ? "" : ",\"usage\":" + usage(call)) + "}";
    }

    static String usage(Call call) {
        long completion = call.output.completionTokens();
        return "{\"prompt_tokens\":" + call.promptTokens + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (call.promptTokens + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + call.cachedTokens
                + "},\"completion_tokens_details\":{\"reasoning_tokens\":" + call.output.reasoningTokens() + "}}";
    }

    static String error(String message) {
        return "{\"error\":{\"message\":" + Json.quote(message) + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
    }

    static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Sleeps until the given System.nanoTime() (or until a shorter stall set meanwhile ends). */
    static void sleepUntil(long untilNanos) {
        while (true) {
            long left = Math.min(untilNanos, stallUntilNanos) - System.nanoTime();
            if (left <= 0) {
                return;
            }
            pause(Math.min(100, Math.max(1, left / 1_000_000)));
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The text of the last user message: a string, or the text parts of a content array. */
    static String lastUserContent(Map<String, Object> body) {
        List<Object> messages = Json.array(body.get("messages"));
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof Map<?, ?> m && "user".equals(m.get("role"))) {
                Object content = m.get("content");
                if (content instanceof String text) {
                    return text;
                }
                StringBuilder text = new StringBuilder();
                for (Object part : Json.array(content)) {
                    if (part instanceof Map<?, ?> p && p.get("text") instanceof String t) {
                        text.append(t).append('\n');
                    }
                }
                return text.toString();
            }
        }
        return "";
    }

    // ---------------------------------------------------------------- directives, output, the bill

    /** The directives of one request. */
    static final class Directives {
        String tag;
        int words = -1; // -1: the five fixed words
        long reasoning;
        long cached;
        boolean noUsage;
        String toolCall;
        long chunkDelayMs;
        boolean ignoreMaxTokens;
        long finalHoldMs;
        boolean unanswered;

        static Directives of(String content) {
            Directives d = new Directives();
            Matcher matcher = DIRECTIVE.matcher(content);
            while (matcher.find()) {
                String value = matcher.group(2) == null ? "" : matcher.group(2).trim();
                try {
                    switch (matcher.group(1)) {
                        case "tag" -> {
                            if (!TAG.matcher(value).matches()) {
                                throw new IllegalArgumentException("tag needs [A-Za-z0-9._:-], at most 200");
                            }
                            d.tag = value;
                        }
                        case "words" -> d.words = Math.max(0, Math.min(MAX_WORDS, Integer.parseInt(value)));
                        case "reasoning" -> d.reasoning = Math.max(0, Math.min(1_000_000, Long.parseLong(value)));
                        case "cached" -> d.cached = Math.max(0, Long.parseLong(value));
                        case "no-usage" -> d.noUsage = true;
                        case "chunk-delay-ms" -> d.chunkDelayMs = Math.max(0, Math.min(MAX_CHUNK_DELAY_MS, Long.parseLong(value)));
                        case "ignore-max-tokens" -> d.ignoreMaxTokens = true;
                        case "final-hold-ms" -> d.finalHoldMs = Math.max(0, Math.min(MAX_FINAL_HOLD_MS, Long.parseLong(value)));
                        case "stall" -> d.unanswered = true;
                        case "tool-call" -> {
                            if (!FUNCTION_NAME.matcher(value).matches()) {
                                throw new IllegalArgumentException("tool-call needs a function name ([A-Za-z0-9_-], at most 64)");
                            }
                            d.toolCall = value;
                        }
                        default -> throw new IllegalArgumentException("unknown fake directive " + matcher.group(1));
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("fake directive " + matcher.group(1) + " needs a number");
                }
            }
            return d;
        }
    }

    /**
     * What the fake generates for one request.
     *
     * @param toolName the function called, or null for a text answer (also when the budget ran out
     *        before the name was generated)
     * @param pieces the visible output, one token each: words or pieces of the tool call's arguments
     * @param leadTokens the tokens generated before the first piece: reasoning, then the tool's name
     * @param reasoningTokens the hidden reasoning tokens generated
     * @param finishReason {@code stop}, {@code tool_calls}, or {@code length} when the budget ran out
     * @param budget the request's output budget, or null
     */
    record Output(String toolName, List<String> pieces, long leadTokens, long reasoningTokens, String finishReason,
            Long budget) {

        long completionTokens() {
            return leadTokens + pieces.size();
        }

        String joined() {
            return String.join("", pieces);
        }

        /**
         * Reasoning first, then the tool's name, then one token per piece, until the budget is spent
         * (with {@code ignore-max-tokens}: all of it, whatever the budget).
         */
        static Output of(Directives d, Map<String, Object> body) {
            Long budget = budget(body);
            long left = budget == null || d.ignoreMaxTokens ? Long.MAX_VALUE : budget;
            long reasoning = Math.min(d.reasoning, left);
            left -= reasoning;
            boolean cut = reasoning < d.reasoning;
            long lead = reasoning;
            String toolName = null;
            List<String> wanted = List.of();
            if (d.toolCall == null) {
                wanted = d.words < 0 ? WORDS : words(d.words);
            } else {
                long nameTokens = Billing.tokens(d.toolCall);
                if (left < nameTokens) {
                    lead += left;
                    left = 0;
                    cut = true;
                } else {
                    lead += nameTokens;
                    left -= nameTokens;
                    toolName = d.toolCall;
                    String words = String.join("", words(d.words < 0 ? DEFAULT_TOOL_WORDS : d.words));
                    wanted = Billing.tokenPieces("{\"w\":" + Json.quote(words) + "}");
                }
            }
            int written = (int) Math.min(wanted.size(), left);
            cut |= written < wanted.size();
            String finish = cut ? "length" : toolName != null ? "tool_calls" : "stop";
            return new Output(toolName, List.copyOf(wanted.subList(0, written)), lead, reasoning, finish, budget);
        }

        static List<String> words(int count) {
            List<String> words = new ArrayList<>(count);
            for (int i = 1; i <= count; i++) {
                words.add((i == 1 ? "" : " ") + "w" + i);
            }
            return words;
        }

        private static Long budget(Map<String, Object> body) {
            for (String key : List.of("max_completion_tokens", "max_tokens")) {
                if (body.get(key) instanceof Number n) {
                    return Math.max(0, n.longValue());
                }
            }
            return null;
        }
    }

    /** What one call has cost so far; billed once, when the fake ends it or its client has gone. Used by one thread. */
    static final class Call {
        final String tag;
        final String model;
        final long promptTokens;
        final long cachedTokens;
        final Output output;
        final Instant started;
        boolean answered;
        boolean firstWritten;
        long writtenTokens;
        boolean usageWritten;
        boolean billed;
        /** When the final chunk of a stream whose last event is held back was written, or null. */
        Instant finalAt;

        Call(String tag, String model, long promptTokens, long cachedTokens, Output output, Instant started) {
            this.tag = tag;
            this.model = model;
            this.promptTokens = promptTokens;
            this.cachedTokens = cachedTokens;
            this.output = output;
            this.started = started;
        }

        /** Something carrying this many generated tokens (and the usage, if so) reached the client's connection. */
        void written(long tokens, boolean usage) {
            firstWritten = true;
            writtenTokens += tokens;
            usageWritten |= usage;
        }

        /**
         * Writes the bill: the prompt once the answer began, the reasoning once the first event
         * left, the generated tokens written; nothing if the client left before the answer began.
         */
        void bill(boolean cut) {
            if (billed || billing == null) {
                billed = true;
                return;
            }
            billed = true;
            long prompt = answered ? promptTokens : 0;
            long cached = answered ? cachedTokens : 0;
            long reasoning = firstWritten ? output.reasoningTokens() : 0;
            String line = String.join("\t", tag == null ? "-" : tag, model.replaceAll("[\\t\\n\\r\\\\]", "_"),
                    Long.toString(prompt), Long.toString(cached), Long.toString(writtenTokens), Long.toString(reasoning),
                    usageWritten ? "t" : "f", cut ? "t" : "f", started.toString(), Instant.now().toString(),
                    output.budget() == null ? "\\N" : Long.toString(output.budget()),
                    finalAt == null ? "\\N" : finalAt.toString());
            synchronized (FakeUpstream.class) {
                billing.println(line);
                billing.flush();
            }
        }
    }

    /**
     * The prompt tokens OpenAI bills for a request to a gpt-4o-family model, on o200k_base. A port
     * of the tests' {@code FakeBilling}: the rules of hmarr's {@code openai-chat-tokens}, checked
     * against OpenAI's cookbook ("How to count tokens with tiktoken": 124 and 101 prompt tokens
     * billed for its two examples).
     */
    static final class Billing {

        static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        static final long MESSAGE_TOKENS = 3;
        static final long NAME_TOKENS = 1;
        static final long REPLY_TOKENS = 3;
        static final long FUNCTION_MESSAGE_DISCOUNT_TOKENS = 2;
        static final long CALL_TOKENS = 3;
        static final long FUNCTIONS_TOKENS = 9;
        static final long SYSTEM_SHARED_WITH_FUNCTIONS_TOKENS = 4;
        static final long NAMED_CHOICE_TOKENS = 4;
        static final long IMAGE_BASE_TOKENS = 85;
        static final long IMAGE_TILE_TOKENS = 170;
        static final double IMAGE_MAX_SIDE_PX = 2048;
        static final double IMAGE_SHORT_SIDE_PX = 768;
        static final double IMAGE_TILE_PX = 512;
        /** The size billed for an image the fake cannot read: the largest the rule leaves (8 tiles). */
        static final int UNREADABLE_IMAGE_WIDTH_PX = 768;
        static final int UNREADABLE_IMAGE_HEIGHT_PX = 2048;

        static int tokens(String text) {
            return O200K.countTokensOrdinary(text);
        }

        static long countPrompt(Map<String, Object> body) {
            List<Map<String, Object>> functions = functionDefinitions(body);
            boolean withFunctions = !functions.isEmpty();
            boolean padded = false;
            boolean anySystem = false;
            long count = 0;
            for (Object value : Json.array(body.get("messages"))) {
                if (value instanceof Map<?, ?> m) {
                    Map<String, Object> message = Json.object(m);
                    boolean system = "system".equals(message.get("role"));
                    anySystem |= system;
                    boolean pad = withFunctions && system && !padded;
                    padded |= pad;
                    count += messageTokens(message, pad);
                }
            }
            count += REPLY_TOKENS;
            if (withFunctions) {
                count += tokens(functionsPrompt(functions)) + FUNCTIONS_TOKENS;
                if (anySystem) {
                    count -= SYSTEM_SHARED_WITH_FUNCTIONS_TOKENS;
                }
            }
            count += choiceTokens(body.get("tool_choice")) + choiceTokens(body.get("function_call"));
            if (body.get("response_format") instanceof Map<?, ?> format && "json_schema".equals(format.get("type"))
                    && format.get("json_schema") instanceof Map<?, ?> schema) {
                count += tokens(Json.encode(schema));
            }
            return count;
        }

        static long messageTokens(Map<String, Object> message, boolean padContent) {
            String role = text(message.get("role"));
            long count = MESSAGE_TOKENS + tokens(role);
            count += contentTokens(message.get("content"), padContent);
            String name = text(message.get("name"));
            if (!name.isEmpty()) {
                count += tokens(name) + NAME_TOKENS;
            }
            if (role.equals("function")) {
                count -= FUNCTION_MESSAGE_DISCOUNT_TOKENS;
            }
            if (role.equals("assistant")) {
                List<Map<?, ?>> calls = new ArrayList<>();
                if (message.get("function_call") instanceof Map<?, ?> call) {
                    calls.add(call);
                }
                for (Object call : Json.array(message.get("tool_calls"))) {
                    if (call instanceof Map<?, ?> c && c.get("function") instanceof Map<?, ?> function) {
                        calls.add(function);
                    }
                }
                for (Map<?, ?> function : calls) {
                    count += tokens(text(function.get("name"))) + tokens(text(function.get("arguments"))) + CALL_TOKENS;
                }
            }
            return count;
        }

        /** A string content, or the text parts (and images) of a content array; padded with a newline if asked. */
        static long contentTokens(Object content, boolean pad) {
            List<String> texts = new ArrayList<>();
            long images = 0;
            if (content instanceof String text) {
                texts.add(text);
            }
            for (Object part : Json.array(content)) {
                if (part instanceof Map<?, ?> p) {
                    if (p.get("text") instanceof String text) {
                        texts.add(text);
                    } else if (p.containsKey("image_url")) {
                        images += imageTokens(p);
                    }
                }
            }
            if (pad) {
                if (texts.isEmpty()) {
                    texts.add("\n");
                } else {
                    texts.set(texts.size() - 1, texts.get(texts.size() - 1) + "\n");
                }
            }
            return images + texts.stream().mapToLong(Billing::tokens).sum();
        }

        static long choiceTokens(Object choice) {
            if ("none".equals(choice)) {
                return 1;
            }
            if (choice instanceof Map<?, ?> named) {
                String name = named.get("function") instanceof Map<?, ?> f ? text(f.get("name")) : text(named.get("name"));
                return name.isEmpty() ? 0 : tokens(name) + NAMED_CHOICE_TOKENS;
            }
            return 0; // absent, "auto", "required"
        }

        /** The {@code tools} of type function and the legacy {@code functions} of a request. */
        static List<Map<String, Object>> functionDefinitions(Map<String, Object> body) {
            List<Map<String, Object>> functions = new ArrayList<>();
            for (Object tool : Json.array(body.get("tools"))) {
                if (tool instanceof Map<?, ?> t && "function".equals(t.get("type")) && t.get("function") instanceof Map<?, ?> f) {
                    functions.add(Json.object(f));
                }
            }
            for (Object function : Json.array(body.get("functions"))) {
                if (function instanceof Map<?, ?> f) {
                    functions.add(Json.object(f));
                }
            }
            return functions;
        }

        /**
         * Function definitions as OpenAI renders them into the system prompt: TypeScript-like types
         * in a {@code namespace functions}, descriptions as {@code //} comments (those of properties
         * only down to one nested level), optional properties with {@code ?}, enums as unions.
         */
        static String functionsPrompt(List<Map<String, Object>> functions) {
            List<String> lines = new ArrayList<>(List.of("namespace functions {", ""));
            for (Map<String, Object> function : functions) {
                String description = text(function.get("description"));
                if (!description.isEmpty()) {
                    lines.add("// " + description);
                }
                String name = text(function.get("name"));
                Map<String, Object> parameters = function.get("parameters") instanceof Map<?, ?> p ? Json.object(p) : Map.of();
                if (Json.objectOrEmpty(parameters.get("properties")).isEmpty()) {
                    lines.add("type " + name + " = () => any;");
                } else {
                    lines.add("type " + name + " = (_: {");
                    lines.add(properties(parameters, 0));
                    lines.add("}) => any;");
                }
                lines.add("");
            }
            lines.add("} // namespace functions");
            return String.join("\n", lines);
        }

        static String properties(Map<String, Object> schema, int indent) {
            List<Object> required = Json.array(schema.get("required"));
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, Object> property : Json.objectOrEmpty(schema.get("properties")).entrySet()) {
                Map<String, Object> type = Json.objectOrEmpty(property.getValue());
                String description = text(type.get("description"));
                if (!description.isEmpty() && indent < 2) {
                    lines.add("// " + description);
                }
                String optional = required.contains(property.getKey()) ? "" : "?";
                lines.add(property.getKey() + optional + ": " + type(type, indent) + ",");
            }
            return String.join("\n", lines.stream().map(line -> " ".repeat(indent) + line).toList());
        }

        static String type(Map<String, Object> schema, int indent) {
            if (schema.get("anyOf") instanceof List<?> anyOf) {
                return String.join(" | ", anyOf.stream().map(t -> type(Json.objectOrEmpty(t), indent)).toList());
            }
            List<?> values = schema.get("enum") instanceof List<?> e ? e : null;
            return switch (text(schema.get("type"))) {
                case "string" -> values == null ? "string" : union(values, true);
                case "number", "integer" -> values == null ? "number" : union(values, false);
                case "boolean" -> "boolean";
                case "null" -> "null";
                case "object" -> "{\n" + properties(schema, indent + 2) + "\n}";
                case "array" -> schema.get("items") instanceof Map<?, ?> items ? type(Json.object(items), indent) + "[]" : "any[]";
                default -> "any";
            };
        }

        static String union(List<?> values, boolean quoted) {
            return String.join(" | ", values.stream().map(v -> {
                String value = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                        ? String.valueOf(n.longValue()) : String.valueOf(v);
                return quoted ? "\"" + value + "\"" : value;
            }).toList());
        }

        /**
         * The tokens of an {@code image_url} content part: 85 with {@code detail: "low"}, otherwise
         * by its size, read from a {@code data:} URL (PNG, JPEG, GIF); an image the fake cannot read
         * (an http(s) URL it does not fetch, bytes it cannot decode) counts as 768×2048.
         */
        static long imageTokens(Map<?, ?> part) {
            Object image = part.get("image_url");
            String url = image instanceof String s ? s : "";
            String detail = "auto";
            if (image instanceof Map<?, ?> o) {
                url = text(o.get("url"));
                detail = text(o.get("detail"));
            }
            if (detail.equals("low")) {
                return IMAGE_BASE_TOKENS;
            }
            int[] size = dataUrlSize(url);
            return size == null ? imageTokens(UNREADABLE_IMAGE_WIDTH_PX, UNREADABLE_IMAGE_HEIGHT_PX) : imageTokens(size[0], size[1]);
        }

        /** OpenAI's rule for gpt-4o at high detail: fit in 2048×2048, short side to 768, then 85 + 170 per 512-px tile. */
        static long imageTokens(long widthPx, long heightPx) {
            double width = widthPx;
            double height = heightPx;
            double longSide = Math.max(width, height);
            if (longSide > IMAGE_MAX_SIDE_PX) {
                width = width * IMAGE_MAX_SIDE_PX / longSide;
                height = height * IMAGE_MAX_SIDE_PX / longSide;
            }
            double shortSide = Math.min(width, height);
            if (shortSide > IMAGE_SHORT_SIDE_PX) {
                width = width * IMAGE_SHORT_SIDE_PX / shortSide;
                height = height * IMAGE_SHORT_SIDE_PX / shortSide;
            }
            return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles(width) * tiles(height);
        }

        static long tiles(double px) {
            return (long) Math.ceil(px / IMAGE_TILE_PX - 1e-9); // the epsilon absorbs the rounding of the scaling
        }

        /** Width and height of the image in a base64 {@code data:} URL, or null. */
        static int[] dataUrlSize(String url) {
            int comma = url.indexOf(',');
            if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                return null;
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(url.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                return null;
            }
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext()) {
                    return null;
                }
                ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    return new int[] { reader.getWidth(0), reader.getHeight(0) };
                } finally {
                    reader.dispose();
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** A text cut at its o200k_base token boundaries: each piece is one token. */
        static List<String> tokenPieces(String text) {
            IntArrayList ids = O200K.encodeOrdinary(text);
            List<String> pieces = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                IntArrayList one = new IntArrayList(1);
                one.add(ids.get(i));
                pieces.add(O200K.decode(one));
            }
            return pieces;
        }

        static String text(Object value) {
            return value instanceof String s ? s : "";
        }
    }

    // ---------------------------------------------------------------- JSON

    /**
     * Just enough JSON: objects (insertion-ordered maps), arrays, strings, numbers (Long, BigInteger
     * or Double), booleans and null; {@link #encode} writes compact JSON as Vert.x/Jackson does
     * (same order, no spaces, only quotes, backslashes and control characters escaped).
     */
    static final class Json {
        private static final int MAX_DEPTH = 200;
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json json = new Json(text);
            json.space();
            Object value = json.value(0);
            json.space();
            if (json.i != text.length()) {
                throw json.fail("trailing characters");
            }
            return value;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Map<?, ?> map) {
            return (Map<String, Object>) map;
        }

        static Map<String, Object> objectOrEmpty(Object value) {
            return value instanceof Map<?, ?> m ? object(m) : Map.of();
        }

        @SuppressWarnings("unchecked")
        static List<Object> array(Object value) {
            return value instanceof List<?> l ? (List<Object>) l : List.of();
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException("invalid JSON at " + i + ": " + what);
        }

        private void space() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
                i++;
            }
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw fail("nested too deep");
            }
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    space();
                    if (i < s.length() && s.charAt(i) == '}') {
                        i++;
                        return map;
                    }
                    while (true) {
                        space();
                        if (i >= s.length() || s.charAt(i) != '"') {
                            throw fail("a key expected");
                        }
                        String key = string();
                        space();
                        expect(':');
                        space();
                        map.put(key, value(depth + 1));
                        space();
                        if (i < s.length() && s.charAt(i) == ',') {
                            i++;
                            continue;
                        }
                        expect('}');
                        return map;
                    }
                }
                case '[': {
                    i++;
                    List<Object> list = new ArrayList<>();
                    space();
                    if (i < s.length() && s.charAt(i) == ']') {
                        i++;
                        return list;
                    }
                    while (true) {
                        space();
                        list.add(value(depth + 1));
                        space();
                        if (i < s.length() && s.charAt(i) == ',') {
                            i++;
                            continue;
                        }
                        expect(']');
                        return list;
                    }
                }
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw fail("'" + c + "' expected");
            }
            i++;
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw fail(word + " expected");
            }
            i += word.length();
            return value;
        }

        private Object number() {
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
            }
            boolean decimal = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c >= '0' && c <= '9') {
                    i++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    decimal = true;
                    i++;
                } else {
                    break;
                }
            }
            String text = s.substring(start, i);
            if (text.isEmpty() || text.equals("-")) {
                throw fail("a value expected");
            }
            try {
                if (decimal) {
                    return Double.valueOf(text);
                }
                return text.length() < 19 ? (Object) Long.valueOf(text) : new BigInteger(text);
            } catch (NumberFormatException e) {
                throw fail("a number expected");
            }
        }

        private String string() {
            i++; // the opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw fail("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw fail("bad escape");
                }
            }
        }

        static String encode(Object value) {
            StringBuilder out = new StringBuilder();
            encode(value, out);
            return out.toString();
        }

        private static void encode(Object value, StringBuilder out) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof String text) {
                out.append(quote(text));
            } else if (value instanceof Map<?, ?> map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(first ? "" : ",").append(quote(String.valueOf(entry.getKey()))).append(':');
                    encode(entry.getValue(), out);
                    first = false;
                }
                out.append('}');
            } else if (value instanceof List<?> list) {
                out.append('[');
                for (int n = 0; n < list.size(); n++) {
                    out.append(n == 0 ? "" : ",");
                    encode(list.get(n), out);
                }
                out.append(']');
            } else {
                out.append(value); // Boolean, Long, BigInteger, Double
            }
        }

        static String quote(String text) {
            StringBuilder out = new StringBuilder(text.length() + 2).append('"');
            for (int n = 0; n < text.length(); n++) {
                char c = text.charAt(n);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }
}
