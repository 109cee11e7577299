package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.LedgerProbe;

/** A user's purchase of a pack through the API, and the checks every purchase test ends with. */
record Purchases(String user, String purchaseId, String sessionId, String paymentIntent) {

    static final long SMALL_PRICE = 500;
    static final long SMALL_MILLICREDITS = 100_000;

    static Response buy(String user, String key, String body) {
        return Api.as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/credit/purchases");
    }

    /** A new user who has started buying the small pack: pending, with a Checkout Session. */
    static Purchases started(String prefix) {
        String user = Api.openAccount(prefix);
        Response response = buy(user, "buy-" + UUID.randomUUID(), "{\"packId\":\"small\"}");
        response.then().statusCode(201);
        String url = response.jsonPath().getString("checkoutUrl");
        assertThat(url).startsWith(FakeStripe.start().checkoutBase());
        return new Purchases(user, response.jsonPath().getString("purchaseId"), url.substring(FakeStripe.start().checkoutBase().length()),
                "pi_" + UUID.randomUUID().toString().replace("-", ""));
    }

    String completed(String paymentStatus, long amount, String currency) {
        return StripeEvents.event("checkout.session.completed",
                StripeEvents.session(purchaseId, sessionId, paymentIntent, paymentStatus, amount, currency));
    }

    String paid() {
        return completed("paid", SMALL_PRICE, "usd");
    }

    String refunded(long refunded) {
        return StripeEvents.event("charge.refunded", StripeEvents.charge(paymentIntent, SMALL_PRICE, refunded));
    }

    String dispute(String type, String status) {
        return StripeEvents.event(type, StripeEvents.dispute(paymentIntent, SMALL_PRICE, status));
    }

    void deliver(String event) {
        StripeEvents.deliver(event).then().statusCode(200);
    }

    long purchased() {
        return LedgerProbe.buckets(user)[1];
    }

    String status() {
        return Api.as(user).get("/api/credit/purchases/" + purchaseId).then().statusCode(200).extract().path("status");
    }

    long rows(String operation) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = '" + operation + "'",
                user);
    }

    long unrecovered() {
        return LedgerProbe.count("SELECT unrecovered_millicredits FROM credit_purchase WHERE id = CAST(? AS uuid)", purchaseId);
    }

    /** The ledger's sums equal the buckets, and no audited point is negative. */
    void ledgerHolds() {
        LedgerProbe.assertBalanced(user);
    }
}
