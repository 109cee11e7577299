package dev.tollgate.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A local stand-in for the few Stripe API calls Tollgate makes ({@code POST /v1/checkout/sessions},
 * {@code /v1/customers}, {@code /v1/payment_intents}, {@code /v1/refunds}), which {@code stripe-java} is pointed at. It answers as Stripe does,
 * replays the first answer to a repeated {@code Idempotency-Key}, and records every request, so that
 * tests can check amounts, metadata and keys. It can be switched {@linkplain #down(boolean) down}.
 * Its Checkout pages are its own too ({@link #checkoutBase()}, a page titled {@value #CHECKOUT_TITLE}):
 * a browser sent to one stays on this machine.
 */
public final class FakeStripe {

    /** The form-encoded parameters of one request, decoded, with its idempotency key. */
    public record Request(String method, String path, String idempotencyKey, Map<String, String> params) {
    }

    /** A saved card whose off-session payments the fake declines. */
    public static final String DECLINED_CARD = "pm_card_declined";

    /** The path of the fake's Checkout pages, under its {@link #baseUrl()}. */
    static final String CHECKOUT_PATH = "/c/pay/";
    /** The title of every Checkout page of the fake. */
    public static final String CHECKOUT_TITLE = "Fake Stripe Checkout";

    private static FakeStripe running;

    private final LocalServer local;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> answersByKey = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean down;

    private FakeStripe(LocalServer local) {
        this.local = local;
    }

    /** Starts the fake unless this JVM runs one already; returns the running one. */
    public static synchronized FakeStripe start() {
        if (running == null) {
            running = LocalServer.start("the fake Stripe", 1, FakeStripe::new, FakeStripe::handle);
        }
        return running;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + local.port();
    }

    /** Where the fake's Checkout pages are: a session's {@code url} is this followed by its id. */
    public String checkoutBase() {
        return baseUrl() + CHECKOUT_PATH;
    }

    /** While down, every call is answered 503 (with {@code Stripe-Should-Retry: false}). */
    public void down(boolean value) {
        this.down = value;
    }

    public synchronized List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The Checkout Sessions created for a purchase (one, however often it was asked for). */
    public synchronized List<Request> sessionsFor(String purchaseId) {
        return requests("/v1/checkout/sessions").stream()
                .filter(r -> purchaseId.equals(r.params().get("client_reference_id")))
                .toList();
    }

    private void handle(HttpServerRequest request) {
        if (request.method().name().equals("GET") && request.path().startsWith(CHECKOUT_PATH)) {
            // The page a browser lands on: nothing of the request is echoed.
            request.response().putHeader("Content-Type", "text/html; charset=utf-8")
                    .end("<!doctype html><html lang=\"en\"><title>" + CHECKOUT_TITLE + "</title><h1>" + CHECKOUT_TITLE
                            + "</h1><p>Nothing is paid here.</p></html>");
            return;
        }
        request.body().onSuccess(body -> {
            Map<String, String> params = form(body);
            String key = request.getHeader("Idempotency-Key");
            synchronized (this) {
                requests.add(new Request(request.method().name(), request.path(), key, params));
            }
            if (down) {
                request.response().setStatusCode(503).putHeader("Stripe-Should-Retry", "false")
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("type", "api_error")
                                .put("message", "the fake Stripe is down")).encode());
                return;
            }
            if (request.path().equals("/v1/payment_intents") && DECLINED_CARD.equals(params.get("payment_method"))) {
                request.response().setStatusCode(402).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("type", "card_error")
                                .put("code", "card_declined").put("decline_code", "insufficient_funds")
                                .put("message", "Your card has insufficient funds.")).encode());
                return;
            }
            String answer = key == null ? answer(request.path(), params)
                    : answersByKey.computeIfAbsent(request.method() + " " + request.path() + " " + key,
                            k -> answer(request.path(), params));
            if (answer == null) {
                request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
                                .put("message", "Unrecognized request URL")).encode());
                return;
            }
            request.response().putHeader("Content-Type", "application/json")
                    .putHeader("Request-Id", "req_" + ids.incrementAndGet()).end(answer);
        });
    }

    private String answer(String path, Map<String, String> params) {
        int id = ids.incrementAndGet();
        return switch (path) {
            case "/v1/checkout/sessions" -> {
                String sessionId = "cs_test_" + id;
                yield new JsonObject().put("id", sessionId).put("object", "checkout.session")
                        .put("url", checkoutBase() + sessionId).put("mode", params.get("mode"))
                        .put("client_reference_id", params.get("client_reference_id"))
                        .put("amount_total", Long.valueOf(params.getOrDefault("line_items[0][price_data][unit_amount]", "0")))
                        .put("currency", params.get("line_items[0][price_data][currency]"))
                        .put("payment_status", "unpaid").put("status", "open").encode();
            }
            case "/v1/customers" -> new JsonObject().put("id", "cus_test_" + id).put("object", "customer").encode();
            case "/v1/payment_intents" -> new JsonObject().put("id", "pi_test_" + id).put("object", "payment_intent")
                    .put("amount", Long.valueOf(params.get("amount"))).put("currency", params.get("currency"))
                    .put("customer", params.get("customer")).put("payment_method", params.get("payment_method"))
                    .put("status", "succeeded").encode();
            case "/v1/refunds" -> new JsonObject().put("id", "re_test_" + id).put("object", "refund")
                    .put("payment_intent", params.get("payment_intent")).put("status", "succeeded").encode();
            default -> null;
        };
    }

    private static Map<String, String> form(Buffer body) {
        Map<String, String> params = new LinkedHashMap<>();
        String text = body.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return params;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
