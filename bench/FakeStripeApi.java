import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake of the one Stripe API call a purchase makes, for the fault run (bench/fault/fault-run.sh),
 * which points the app's {@code tollgate.purchases.stripe.api-base} at it. A process of its own, so
 * that it outlives the app's restarts (a Checkout Session created before a {@code kill -9} is still
 * there for the retry after it). No dependencies: run it compiled or as a single source file:
 *
 * <pre>
 *   java bench/FakeStripeApi.java --port 0 --port-file /tmp/stripe.port --api-key-file key [--sessions-file sessions.tsv]
 * </pre>
 *
 * {@code POST /v1/checkout/sessions} (form-encoded, as {@code stripe-java} sends it, with
 * {@code Authorization: Bearer <the key in --api-key-file>}): a Checkout Session as Stripe answers
 * it — {@code {"id":"cs_…","object":"checkout.session","url":"<base>/c/pay/cs_…","client_reference_id":…,
 * "amount_total":…,"currency":…,"payment_status":"unpaid","status":"open",…}}, the amount and currency
 * those of the line item's {@code price_data}. Like Stripe, it answers a repeated
 * {@code Idempotency-Key} with its first answer, byte for byte, and makes nothing new. Another key
 * answers 401 {@code authentication_error}; any other path 404 {@code invalid_request_error}.
 *
 * <p>{@code --sessions-file}: one tab-separated line per session made — idempotency key (or
 * {@code \N}), session id, client_reference_id, amount_total, currency. {@code GET /stats}:
 * {@code {"sessions":N,"replayed":R,"unauthorized":U,"not_found":K}}.
 */
public class FakeStripeApi {

    static final String CHECKOUT_PATH = "/c/pay/";

    static final Map<String, String> answersByKey = new ConcurrentHashMap<>();
    static final AtomicLong ids = new AtomicLong();
    static final LongAdder sessions = new LongAdder();
    static final LongAdder replayed = new LongAdder();
    static final LongAdder unauthorized = new LongAdder();
    static final LongAdder notFound = new LongAdder();
    static String base;
    static String apiKey;
    static PrintWriter sessionsFile;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        apiKey = Files.readString(Path.of(opts.get("api-key-file"))).trim();
        if (opts.containsKey("sessions-file")) {
            sessionsFile = new PrintWriter(Files.newBufferedWriter(Path.of(opts.get("sessions-file")), StandardCharsets.UTF_8), true);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(opts.getOrDefault("port", "0"))), 256);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-stripe");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", FakeStripeApi::handle);
        server.start();
        int port = server.getAddress().getPort();
        base = "http://127.0.0.1:" + port;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            if (sessionsFile != null) {
                synchronized (FakeStripeApi.class) {
                    sessionsFile.close();
                }
            }
        }, "fake-stripe-stop"));
        String portFile = opts.get("port-file");
        if (portFile != null) {
            Path tmp = Path.of(portFile + ".tmp");
            Files.writeString(tmp, port + "\n");
            Files.move(tmp, Path.of(portFile), StandardCopyOption.ATOMIC_MOVE);
        }
        System.err.printf(Locale.ROOT, "[fake-stripe] listening on %s%n", base);
        Thread.currentThread().join();
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (method.equals("GET") && path.equals("/stats")) {
                send(exchange, 200, "{\"sessions\":%d,\"replayed\":%d,\"unauthorized\":%d,\"not_found\":%d}".formatted(
                        sessions.sum(), replayed.sum(), unauthorized.sum(), notFound.sum()));
                return;
            }
            if (!("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.increment();
                send(exchange, 401, error("authentication_error", "Invalid API Key provided"));
                return;
            }
            if (!method.equals("POST") || !path.equals("/v1/checkout/sessions")) {
                notFound.increment();
                send(exchange, 404, error("invalid_request_error", "Unrecognized request URL (" + method + ": " + path + ")"));
                return;
            }
            Map<String, String> params = form(new String(body, StandardCharsets.UTF_8));
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String answer;
            if (key == null) {
                answer = session(null, params);
            } else {
                boolean[] made = { false };
                answer = answersByKey.computeIfAbsent(key, k -> {
                    made[0] = true;
                    return session(k, params);
                });
                if (!made[0]) {
                    replayed.increment();
                    exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
                }
            }
            exchange.getResponseHeaders().set("Request-Id", "req_" + ids.incrementAndGet());
            send(exchange, 200, answer);
        }
    }

    /** A new open Checkout Session for the form's line item, written down. */
    static String session(String key, Map<String, String> params) {
        String id = "cs_fault_" + ids.incrementAndGet();
        String reference = params.get("client_reference_id");
        long amount = Long.parseLong(params.getOrDefault("line_items[0][price_data][unit_amount]", "0"));
        String currency = params.getOrDefault("line_items[0][price_data][currency]", "usd");
        sessions.increment();
        if (sessionsFile != null) {
            synchronized (FakeStripeApi.class) {
                sessionsFile.println(String.join("\t", key == null ? "\\N" : key, id, reference == null ? "\\N" : reference,
                        Long.toString(amount), currency));
            }
        }
        return "{\"id\":\"" + id + "\",\"object\":\"checkout.session\",\"url\":\"" + base + CHECKOUT_PATH + id
                + "\",\"mode\":\"payment\",\"client_reference_id\":" + (reference == null ? "null" : "\"" + reference + "\"")
                + ",\"amount_total\":" + amount + ",\"currency\":\"" + currency
                + "\",\"payment_status\":\"unpaid\",\"status\":\"open\",\"livemode\":false}";
    }

    static String error(String type, String message) {
        return "{\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "'") + "\"}}";
    }

    static Map<String, String> form(String text) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : text.isEmpty() ? new String[0] : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
