package dev.tollgate.purchase;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

import com.stripe.Stripe;

/**
 * Stripe events as Stripe delivers them: the event envelope of stripe-java's API version, and the
 * {@code Stripe-Signature} header computed as Stripe documents it (HMAC-SHA256 of
 * {@code <timestamp>.<payload>} with the endpoint's secret, hex-encoded, as {@code t=…,v1=…}).
 */
public final class StripeEvents {

    private StripeEvents() {
    }

    public static String event(String type, JsonObject object) {
        return new JsonObject().put("id", "evt_" + UUID.randomUUID().toString().replace("-", ""))
                .put("object", "event").put("api_version", Stripe.API_VERSION)
                .put("created", Instant.now().getEpochSecond()).put("livemode", false).put("pending_webhooks", 1)
                .put("type", type).put("data", new JsonObject().put("object", object)).encode();
    }

    public static JsonObject session(String purchaseId, String sessionId, String paymentIntent, String paymentStatus,
            long amount, String currency) {
        return new JsonObject().put("id", sessionId).put("object", "checkout.session")
                .put("client_reference_id", purchaseId).put("payment_intent", paymentIntent)
                .put("payment_status", paymentStatus).put("amount_total", amount).put("currency", currency)
                .put("mode", "payment").put("status", "complete");
    }

    static JsonObject paymentIntent(String paymentIntent, String purchaseId, long amount, String customer,
            String paymentMethod, String setupFutureUsage) {
        return new JsonObject().put("id", paymentIntent).put("object", "payment_intent").put("amount", amount)
                .put("amount_received", amount).put("currency", "usd").put("customer", customer)
                .put("payment_method", paymentMethod).put("setup_future_usage", setupFutureUsage)
                .put("status", "succeeded").put("metadata", new JsonObject().put("purchase_id", purchaseId));
    }

    static JsonObject charge(String paymentIntent, long amount, long refunded) {
        return new JsonObject().put("id", "ch_" + paymentIntent).put("object", "charge")
                .put("payment_intent", paymentIntent).put("amount", amount).put("amount_refunded", refunded)
                .put("currency", "usd").put("refunded", refunded >= amount);
    }

    static JsonObject dispute(String paymentIntent, long amount, String status) {
        return new JsonObject().put("id", "dp_" + paymentIntent).put("object", "dispute")
                .put("charge", "ch_" + paymentIntent).put("payment_intent", paymentIntent).put("amount", amount)
                .put("currency", "usd").put("status", status);
    }

    /** Delivers a payload signed now with the secret of {@link PurchasesConfigured}. */
    public static Response deliver(String payload) {
        return deliver(payload, signature(payload, Instant.now().getEpochSecond(), PurchasesConfigured.WEBHOOK_SECRET));
    }

    public static Response deliver(String payload, String signature) {
        var request = given().contentType("application/json; charset=utf-8").body(payload);
        if (signature != null) {
            request = request.header("Stripe-Signature", signature);
        }
        return request.post("/api/webhooks/stripe");
    }

    static String signature(String payload, long timestamp, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
