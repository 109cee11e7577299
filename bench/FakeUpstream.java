import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake OpenAI-compatible upstream for the chat benchmark that answers at once. JDK only; run it
 * as a single source file:
 *
 * <pre>
 *   java bench/FakeUpstream.java --port 0 --port-file /tmp/fake.port [--threads 16]
 * </pre>
 *
 * {@code POST /v1/chat/completions}: without {@code "stream": true} a {@code chat.completion} JSON
 * with a five-word message and {@code usage}; with it, server-sent events like OpenAI's: a comment
 * line, five {@code chat.completion.chunk} events (the first with the role), one with
 * {@code finish_reason: "stop"}, then — if {@code stream_options.include_usage} is set — a chunk with
 * {@code choices: []} and {@code usage}, then {@code data: [DONE]}. Every event is flushed as its own
 * HTTP chunk, as a real upstream sends them. The same shapes as the tests' {@code FakeProvider}
 * (src/test/java/dev/tollgate/testing), without Vert.x and without its fault directives.
 *
 * <p>{@code GET /stats}: {@code {"requests":N,"streams":M,"not_found":K,"stalled":S}} since start.
 *
 * <p>A stalled provider, switched at run time (the fault run's): {@code POST /control/stall?seconds=N}
 * (0 &lt; N &lt;= 300) makes every completion that arrives in the next N seconds hang until then — a
 * non-streaming one before its first byte, a stream after its first two content events — and then
 * answer as usual (to a caller that has usually given up); {@code seconds=0} ends a stall at once.
 *
 * <p>Built not to be the bottleneck: one acceptor/dispatcher thread and a fixed pool of handler
 * threads ({@code com.sun.net.httpserver}), HTTP/1.1 keep-alive, TCP_NODELAY (so that the small
 * writes of a stream are not held back by Nagle's algorithm), no JSON parsing (the three fields it
 * looks at are found with regular expressions), responses built from constant pieces. The bound
 * port is written to {@code --port-file} once the server listens; SIGTERM stops it.
 */
public class FakeUpstream {

    static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"\\\\]{1,128})\"");
    static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    static final String[] WORDS = { "Hello", " from", " the", " fake", " upstream" };
    static final int PROMPT_TOKENS = 24;
    static final int COMPLETION_TOKENS = WORDS.length;
    static final String USAGE = "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}"
            .formatted(PROMPT_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS + COMPLETION_TOKENS);
    static final byte[] OPENING = ": fake upstream\n\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    static final LongAdder requests = new LongAdder();
    static final LongAdder streams = new LongAdder();
    static final LongAdder notFound = new LongAdder();
    static final LongAdder stalled = new LongAdder();
    /** Until when completions hang (System.nanoTime()); in the past: no stall. */
    static volatile long stallUntilNanos = System.nanoTime();
    static final Pattern SECONDS = Pattern.compile("(?:^|&)seconds=(\\d{1,3})(?:&|$)");
    static final AtomicLong ids = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "0"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "16"));
        // Read once, when the HttpServer implementation is first used: set them before.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1024");

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fake-upstream-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", FakeUpstream::handle);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "fake-upstream-stop"));

        int bound = server.getAddress().getPort();
        String portFile = opts.get("port-file");
        if (portFile != null) {
            Path tmp = Path.of(portFile + ".tmp");
            Files.writeString(tmp, bound + "\n");
            Files.move(tmp, Path.of(portFile), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.err.printf(Locale.ROOT, "[fake-upstream] listening on http://127.0.0.1:%d/v1 with %d handler threads%n",
                bound, threads);
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
                String request = new String(body, StandardCharsets.UTF_8);
                Matcher model = MODEL.matcher(request);
                String name = model.find() ? model.group(1) : "unknown";
                long stallUntil = stallUntilNanos;
                boolean stall = stallUntil - System.nanoTime() > 0;
                if (stall) {
                    stalled.increment();
                }
                if (STREAM.matcher(request).find()) {
                    streams.increment();
                    stream(exchange, name, INCLUDE_USAGE.matcher(request).find(), stall ? stallUntil : 0);
                } else {
                    if (stall) {
                        sleepUntil(stallUntil);
                    }
                    send(exchange, 200, "application/json", completion(name));
                }
            } else if (method.equals("POST") && path.equals("/control/stall")) {
                Matcher seconds = SECONDS.matcher(String.valueOf(exchange.getRequestURI().getQuery()));
                int n = seconds.find() ? Integer.parseInt(seconds.group(1)) : -1;
                if (n < 0 || n > 300) {
                    send(exchange, 400, "application/json", "{\"error\":\"seconds=0..300 expected\"}");
                    return;
                }
                stallUntilNanos = System.nanoTime() + n * 1_000_000_000L;
                System.err.printf(Locale.ROOT, "[fake-upstream] %s%n", n == 0 ? "stall ended" : "stalled for " + n + " s");
                send(exchange, 200, "application/json", "{\"stall_seconds\":" + n + "}");
            } else if (method.equals("GET") && path.equals("/stats")) {
                send(exchange, 200, "application/json", "{\"requests\":%d,\"streams\":%d,\"not_found\":%d,\"stalled\":%d}"
                        .formatted(requests.sum(), streams.sum(), notFound.sum(), stalled.sum()));
            } else {
                notFound.increment();
                send(exchange, 404, "application/json",
                        "{\"error\":{\"message\":\"Unknown path\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
            }
        }
    }

    static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String completion(String model) {
        return "{\"id\":\"chatcmpl-fake" + ids.incrementAndGet() + "\",\"object\":\"chat.completion\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + String.join("", WORDS)
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":" + USAGE + "}";
    }

    /** Sleeps until the given System.nanoTime() (or until a shorter stall set meanwhile ends). */
    static void sleepUntil(long untilNanos) {
        try {
            while (true) {
                long left = Math.min(untilNanos, stallUntilNanos) - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param stallUntil 0, or the System.nanoTime() until which the stream hangs after two content events */
    static void stream(HttpExchange exchange, String model, boolean includeUsage, long stallUntil) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // chunked
        String head = "{\"id\":\"chatcmpl-fake" + ids.incrementAndGet() + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":\"" + model + "\",\"choices\":";
        String tail = includeUsage ? ",\"usage\":null}" : "}";
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(OPENING);
            out.flush();
            for (int i = 0; i < WORDS.length; i++) {
                String delta = (i == 0 ? "{\"role\":\"assistant\",\"content\":\"" : "{\"content\":\"") + WORDS[i] + "\"}";
                event(out, head + "[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]" + tail);
                if (i == 1 && stallUntil != 0) {
                    sleepUntil(stallUntil);
                }
            }
            event(out, head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]" + tail);
            if (includeUsage) {
                event(out, head + "[],\"usage\":" + USAGE + "}");
            }
            out.write(DONE);
        }
    }

    static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
