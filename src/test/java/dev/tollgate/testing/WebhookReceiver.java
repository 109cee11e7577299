package dev.tollgate.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.restassured.http.ContentType;

/**
 * A local webhook receiver (the JDK's HTTP server) that records every request and verifies its
 * Standard Webhooks signature on its own, from the specification: the HMAC-SHA256 under the
 * secret's bytes of {@code id.timestamp.body}, any of the space-separated {@code v1,} signatures.
 * What it answers is set per test: a status, a number of failures per message before success, or
 * no answer at all until released.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    public record Received(String id, String timestamp, String signature, String contentType, String body,
            boolean verified, Instant at) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String type() {
            return json().path("type").asText();
        }

        public String userId() {
            return json().path("data").path("userId").asText();
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** A secret in the Standard Webhooks format (the specification's example). */
    public static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int status = 204;
    private volatile int failuresPerMessage;
    private volatile CountDownLatch hang;

    private WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static WebhookReceiver start() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** Answers every request with this status. */
    public WebhookReceiver answering(int status) {
        this.status = status;
        this.failuresPerMessage = 0;
        return this;
    }

    /** Answers 503 to the first {@code n} attempts of each message, then 204. */
    public WebhookReceiver failingFirst(int n) {
        this.status = 204;
        this.failuresPerMessage = n;
        return this;
    }

    /** Answers nothing until {@link #release()}. */
    public WebhookReceiver hanging() {
        hang = new CountDownLatch(1);
        return this;
    }

    /** Lets every hanging request answer (with the status set) and stops hanging. */
    public void release() {
        CountDownLatch latch = hang;
        hang = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests being handled now. */
    public int open() {
        return open.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        open.incrementAndGet();
        try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
            Received request = new Received(id, timestamp, signature,
                    exchange.getRequestHeaders().getFirst("content-type"), body, verifies(id, timestamp, signature, body),
                    Instant.now());
            long attemptsOfMessage;
            synchronized (this) {
                received.add(request);
                attemptsOfMessage = received.stream().filter(r -> r.id() != null && r.id().equals(id)).count();
            }
            CountDownLatch latch = hang;
            if (latch != null) {
                latch.await(60, TimeUnit.SECONDS);
            }
            int answer = attemptsOfMessage <= failuresPerMessage ? 503 : status;
            exchange.sendResponseHeaders(answer, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The sender gave up on this request (its timeout): nothing to answer.
        } finally {
            exchange.close();
            open.decrementAndGet();
        }
    }

    /** The Standard Webhooks check, written from the specification and not from Tollgate's code. */
    static boolean verifies(String id, String timestamp, String signatures, String body) {
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        try {
            long seconds = Long.parseLong(timestamp);
            if (Math.abs(Instant.now().getEpochSecond() - seconds) > 300) {
                return false;
            }
            byte[] key = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String candidate : signatures.split(" ")) {
                String[] parts = candidate.split(",", 2);
                if (parts.length == 2 && parts[0].equals("v1")
                        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** Registers this receiver as an endpoint (through the admin API) for the types named (none: all). */
    public String register(String... eventTypes) {
        String types = eventTypes.length == 0 ? "[]" : "[\"" + String.join("\",\"", eventTypes) + "\"]";
        return given().auth().oauth2(Tokens.admin("webhook-admin")).contentType(ContentType.JSON)
                .header("Idempotency-Key", "register-" + UUID.randomUUID())
                .body("{\"url\":\"" + url() + "\",\"secret\":\"" + SECRET + "\",\"eventTypes\":" + types
                        + ",\"description\":\"test receiver\"}")
                .post("/api/admin/webhooks")
                .then().statusCode(201).extract().path("id");
    }

    /** Deletes the endpoint (and its deliveries) so that no other test publishes to it. */
    public static void unregister(String endpointId) {
        given().auth().oauth2(Tokens.admin("webhook-admin")).header("Idempotency-Key", "unregister-" + UUID.randomUUID())
                .delete("/api/admin/webhooks/" + endpointId).then().statusCode(200);
    }

    /** Waits up to {@code limit} for the condition; fails with {@code what} if it never holds. */
    public static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                assertThat(condition.getAsBoolean()).as(what + " within " + limit).isTrue();
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
