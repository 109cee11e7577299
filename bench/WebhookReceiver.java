import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A receiver of Tollgate's outbound webhooks for the fault run (bench/fault/fault-run.sh), which
 * registers it as an endpoint of every event type. A process of its own, so that it outlives the
 * app's restarts and sees what a kill -9 between a commit and its delivery leaves. No
 * dependencies: run it compiled or as a single source file:
 *
 * <pre>
 *   java bench/WebhookReceiver.java --port 0 --port-file /tmp/hook.port --secret-file secret --out receipts.tsv \
 *       [--fail-percent 10] [--stall-percent 3] [--stall-ms 3000]
 * </pre>
 *
 * <p>Every {@code POST} is checked against the Standard Webhooks signature: {@code webhook-signature}
 * holds {@code v1,<base64 of HMAC-SHA256>} (one of a space-separated list), the key being the bytes
 * whose base64 follows {@code whsec_} in the secret of {@code --secret-file}, the signed content
 * {@code <webhook-id>.<webhook-timestamp>.<body>}. A request that fails the check is answered 401.
 * Otherwise the first attempt of an event (the first request with its {@code webhook-id}) is
 * answered 500 for a share of the ids ({@code --fail-percent}), stalled {@code --stall-ms} and then
 * answered 200 for another share ({@code --stall-percent}: past the sender's timeout, so that the
 * sender counts a failure the receiver did not see as one); the share is chosen by a hash of the
 * id, the same in every run. Every other request is answered 204.
 *
 * <p>{@code --out}: one tab-separated line per request, written before it is answered — receipt
 * number (1, 2, … in the order requests arrived), received at (ISO-8601 UTC), webhook-id, the
 * body's {@code type} and {@code data.userId}, webhook-timestamp, signature ok ({@code t}/{@code
 * f}), attempt (how many requests with this id so far, this one included), answer ({@code 204},
 * {@code 500}, {@code stall} or {@code 401}). {@code GET /stats}:
 * {@code {"requests":N,"events":E,"failed":F,"stalled":S,"bad_signatures":B}}.
 */
public class WebhookReceiver {

    static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]*)\"");
    static final Pattern USER = Pattern.compile("\"userId\"\\s*:\\s*\"([^\"]*)\"");

    static final Map<String, Integer> attemptsById = new ConcurrentHashMap<>();
    static final AtomicLong receipts = new AtomicLong();
    static final LongAdder failed = new LongAdder();
    static final LongAdder stalled = new LongAdder();
    static final LongAdder badSignatures = new LongAdder();
    static byte[] key;
    static int failPercent;
    static int stallPercent;
    static long stallMillis;
    static PrintWriter out;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String secret = Files.readString(Path.of(opts.get("secret-file"))).trim();
        if (!secret.startsWith("whsec_")) {
            throw new IllegalArgumentException("the secret in --secret-file is not whsec_…");
        }
        key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        failPercent = Integer.parseInt(opts.getOrDefault("fail-percent", "10"));
        stallPercent = Integer.parseInt(opts.getOrDefault("stall-percent", "3"));
        stallMillis = Long.parseLong(opts.getOrDefault("stall-ms", "3000"));
        out = new PrintWriter(Files.newBufferedWriter(Path.of(opts.get("out")), StandardCharsets.UTF_8), false);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(opts.getOrDefault("port", "0"))), 256);
        server.setExecutor(Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "webhook-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", WebhookReceiver::handle);
        server.start();
        int port = server.getAddress().getPort();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (WebhookReceiver.class) {
                out.flush();
            }
        }));
        // The port file appears whole (written aside, then moved), once the server listens.
        Path portFile = Path.of(opts.get("port-file"));
        Path tmp = Path.of(portFile + ".tmp");
        Files.writeString(tmp, Integer.toString(port));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("webhook receiver listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if ("GET".equals(exchange.getRequestMethod()) && "/stats".equals(exchange.getRequestURI().getPath())) {
                answer(exchange, 200, "{\"requests\":" + receipts.get() + ",\"events\":" + attemptsById.size() + ",\"failed\":"
                        + failed.sum() + ",\"stalled\":" + stalled.sum() + ",\"bad_signatures\":" + badSignatures.sum() + "}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "");
                return;
            }
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String id = header(exchange, "webhook-id");
            String timestamp = header(exchange, "webhook-timestamp");
            boolean signed = signatureOk(id, timestamp, body, header(exchange, "webhook-signature"));
            int attempt = attemptsById.merge(id, 1, Integer::sum);
            String plan = !signed ? "401" : attempt > 1 ? "204" : plannedFirstAnswer(id);
            record(id, body, timestamp, signed, attempt, plan);
            switch (plan) {
                case "401" -> {
                    badSignatures.increment();
                    answer(exchange, 401, "");
                }
                case "500" -> {
                    failed.increment();
                    answer(exchange, 500, "");
                }
                case "stall" -> {
                    stalled.increment();
                    try {
                        Thread.sleep(stallMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    answer(exchange, 200, "");
                }
                default -> answer(exchange, 204, null);
            }
        } catch (IOException e) {
            // The sender gave up (its timeout) or died: what it saw is its own business.
        }
    }

    /** The answer to an event's first attempt: by a hash of its id, the same in every run. */
    static String plannedFirstAnswer(String id) {
        int bucket;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            bucket = ((digest[0] & 0xff) << 8 | (digest[1] & 0xff)) % 100;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (bucket < failPercent) {
            return "500";
        }
        return bucket < failPercent + stallPercent ? "stall" : "204";
    }

    static boolean signatureOk(String id, String timestamp, String body, String signatures) {
        if (id.isEmpty() || !timestamp.matches("[0-9]{1,12}") || signatures.isEmpty()) {
            return false;
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
        for (String signature : signatures.trim().split(" +")) {
            if (!signature.startsWith("v1,")) {
                continue;
            }
            try {
                if (MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // not base64: not this one
            }
        }
        return false;
    }

    static void record(String id, String body, String timestamp, boolean signed, int attempt, String plan) {
        String type = first(TYPE, body);
        String user = first(USER, body);
        synchronized (WebhookReceiver.class) {
            long n = receipts.incrementAndGet();
            out.println(n + "\t" + Instant.now() + "\t" + tsv(id) + "\t" + tsv(type) + "\t" + tsv(user) + "\t" + tsv(timestamp)
                    + "\t" + (signed ? "t" : "f") + "\t" + attempt + "\t" + plan);
            out.flush();
        }
    }

    static String first(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        return m.find() ? m.group(1) : "";
    }

    static String tsv(String value) {
        return value.isEmpty() ? "\\N" : value.replaceAll("[\\t\\n\\r\\\\]", "_");
    }

    static String header(HttpExchange exchange, String name) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null ? "" : value;
    }

    static void answer(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
    }
}
