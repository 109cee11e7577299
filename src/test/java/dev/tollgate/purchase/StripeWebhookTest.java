package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;

@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class StripeWebhookTest {

    @Test
    void aPaidCheckoutGrantsThePackToThePurchasedBucketOnce() {
        Purchases p = Purchases.started("paid");
        String event = p.paid();
        p.deliver(event);
        p.deliver(event);

        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(p.rows("PURCHASE")).isEqualTo(1);
        assertThat(p.status()).isEqualTo("paid");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'PURCHASE' "
                + "AND metadata ->> 'checkoutSessionId' = '" + p.sessionId() + "' AND metadata ->> 'paymentIntentId' = '"
                + p.paymentIntent() + "'", p.user())).as("the audit row carries the Stripe ids").isEqualTo(1);
        p.ledgerHolds();
    }

    @Test
    void twoEventsOfOnePaymentGrantOnce() {
        Purchases p = Purchases.started("two-events");
        p.deliver(p.paid());
        p.deliver(StripeEvents.event("checkout.session.async_payment_succeeded",
                StripeEvents.session(p.purchaseId(), p.sessionId(), p.paymentIntent(), "paid", 500, "usd")));

        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(p.rows("PURCHASE")).isEqualTo(1);
        p.ledgerHolds();
    }

    @Test
    void aDelayedPaymentIsGrantedWhenItSucceeds() {
        Purchases p = Purchases.started("async");
        p.deliver(p.completed("unpaid", 500, "usd"));
        assertThat(p.purchased()).isZero();
        assertThat(p.status()).isEqualTo("pending");

        p.deliver(StripeEvents.event("checkout.session.async_payment_succeeded",
                StripeEvents.session(p.purchaseId(), p.sessionId(), p.paymentIntent(), "paid", 500, "usd")));
        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(p.status()).isEqualTo("paid");
    }

    @Test
    void anExpiredCheckoutEndsThePurchaseWithoutCredits() {
        Purchases p = Purchases.started("expired");
        p.deliver(StripeEvents.event("checkout.session.expired",
                StripeEvents.session(p.purchaseId(), p.sessionId(), null, "unpaid", 500, "usd")));

        assertThat(p.status()).isEqualTo("expired");
        assertThat(p.purchased()).isZero();
        assertThat(p.rows("PURCHASE")).isZero();
    }

    @Test
    void aPaymentOfAnotherAmountOrCurrencyGrantsNothingAndIsFlagged() {
        Purchases amount = Purchases.started("mismatch-amount");
        amount.deliver(amount.completed("paid", 499, "usd"));
        Purchases currency = Purchases.started("mismatch-currency");
        currency.deliver(currency.completed("paid", 500, "eur"));

        for (Purchases p : List.of(amount, currency)) {
            assertThat(p.purchased()).isZero();
            assertThat(p.rows("PURCHASE")).isZero();
            assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE user_id = ? AND flagged_reason IS NOT NULL",
                    p.user())).isEqualTo(1);
        }
    }

    @Test
    void aRefundThatArrivesBeforeTheCompletionEndsRefunded() {
        Purchases p = Purchases.started("refund-first");
        p.deliver(p.refunded(Purchases.SMALL_PRICE));
        assertThat(p.purchased()).isZero();

        p.deliver(p.paid());
        assertThat(p.purchased()).isZero();
        assertThat(p.status()).isEqualTo("refunded");
        assertThat(p.rows("PURCHASE")).isEqualTo(1);
        assertThat(p.rows("CLAWBACK")).isEqualTo(1);
        p.ledgerHolds();
    }

    @Test
    void aPartialRefundTakesBackItsShareAndAFullOneTheRest() {
        Purchases p = Purchases.started("partial");
        p.deliver(p.paid());
        String partial = p.refunded(125);
        p.deliver(partial);
        assertThat(p.purchased()).isEqualTo(75_000);
        assertThat(p.status()).isEqualTo("partially_refunded");

        p.deliver(p.refunded(Purchases.SMALL_PRICE));
        // The partial refund's event again, late: a refund only grows.
        p.deliver(partial);
        assertThat(p.purchased()).isZero();
        assertThat(p.status()).isEqualTo("refunded");
        assertThat(p.rows("CLAWBACK")).isEqualTo(2);
        p.ledgerHolds();
    }

    @Test
    void aDisputeAfterTheCreditsWereSpentTakesBackWhatIsLeftAndRecordsTheRest() {
        Purchases p = Purchases.started("dispute-spent");
        p.deliver(p.paid());
        // Spend the monthly allowance and 60 of the 100 bought credits.
        long monthly = LedgerProbe.buckets(p.user())[0];
        LedgerProbe.seedPrice("purchase-spend-model");
        Api.charge(p.user(), "spend-1", Api.chargeBody("purchase-spend-model", monthly + 60_000, 0))
                .then().statusCode(201);
        assertThat(p.purchased()).isEqualTo(40_000);

        p.deliver(p.dispute("charge.dispute.created", "needs_response"));
        assertThat(p.purchased()).isZero();
        assertThat(p.unrecovered()).isEqualTo(60_000);
        assertThat(p.status()).isEqualTo("disputed");
        io.restassured.RestAssured.given().auth().oauth2(dev.tollgate.testing.Tokens.admin("dispute-admin"))
                .get("/api/admin/accounts/" + p.user()).then().statusCode(200)
                .body("unrecoveredPurchaseCount", org.hamcrest.Matchers.equalTo(1))
                .body("unrecoveredPurchasesMillicredits", org.hamcrest.Matchers.equalTo(60_000))
                .body("purchases[0].unrecoveredMillicredits", org.hamcrest.Matchers.equalTo(60_000));
        p.ledgerHolds();
    }

    @Test
    void aDisputeWonGivesBackWhatItTookBack() {
        Purchases p = Purchases.started("dispute-won");
        p.deliver(p.paid());
        p.deliver(p.dispute("charge.dispute.created", "needs_response"));
        assertThat(p.purchased()).isZero();

        p.deliver(p.dispute("charge.dispute.closed", "won"));
        // The creation's event again, late: a closed dispute stays closed.
        p.deliver(p.dispute("charge.dispute.created", "needs_response"));
        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(p.status()).isEqualTo("paid");
        assertThat(p.rows("PURCHASE")).isEqualTo(2);
        p.ledgerHolds();
    }

    @Test
    void aClawBackNeverTakesWhatALiveHoldNeeds() {
        Purchases p = Purchases.started("dispute-held");
        p.deliver(p.paid());
        // Only the bought credits are left: an admin takes the monthly ones away.
        long monthly = LedgerProbe.buckets(p.user())[0];
        io.restassured.RestAssured.given().auth().oauth2(dev.tollgate.testing.Tokens.admin("purchase-admin"))
                .contentType("application/json").header("Idempotency-Key", "adjust-" + p.user())
                .body("{\"userId\":\"" + p.user() + "\",\"bucket\":\"monthly\",\"amountMillicredits\":-" + monthly
                        + ",\"reason\":\"test: only bought credits left\"}")
                .post("/api/admin/credit/adjustments").then().statusCode(201);
        // A hold on the bought credits.
        Api.as(p.user()).contentType("application/json").header("Idempotency-Key", "hold-1")
                .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":20000}")
                .post("/api/credit/reservations").then().statusCode(201);
        long reserved = LedgerProbe.buckets(p.user())[2];
        assertThat(reserved).isPositive();

        p.deliver(p.dispute("charge.dispute.created", "needs_response"));
        assertThat(p.purchased()).isEqualTo(reserved);
        assertThat(p.unrecovered()).isEqualTo(reserved);
        p.ledgerHolds();
    }

    @Test
    void anEventForAPurchaseTollgateDoesNotKnowIsAcknowledgedAndChangesNothing() {
        StripeEvents.deliver(StripeEvents.event("checkout.session.completed",
                StripeEvents.session("0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11", "cs_unknown", "pi_unknown", "paid", 500, "usd")))
                .then().statusCode(200).body("received", equalTo(true));
        StripeEvents.deliver(StripeEvents.event("checkout.session.completed",
                StripeEvents.session("not-a-purchase", "cs_other_app", "pi_other", "paid", 500, "usd")))
                .then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE checkout_session_id IN ('cs_unknown', 'cs_other_app') "
                + "OR payment_intent_id IN ('pi_unknown', 'pi_other') OR user_id = ?", "nobody")).isZero();
    }

    @Test
    void anEventOfAnotherTypeIsAcknowledged() {
        StripeEvents.deliver(StripeEvents.event("customer.created", new io.vertx.core.json.JsonObject()
                .put("id", "cus_1").put("object", "customer"))).then().statusCode(200);
    }

    @Test
    void aDeliveryWithoutAValidSignatureIsRefusedAndChangesNothing() {
        Purchases p = Purchases.started("signature");
        String event = p.paid();
        long now = Instant.now().getEpochSecond();
        List<String> refused = java.util.Arrays.asList(null, "", "t=" + now + ",v1=00",
                StripeEvents.signature(event, now, "whsec_another_secret"),
                StripeEvents.signature(event, now - 301, PurchasesConfigured.WEBHOOK_SECRET),
                StripeEvents.signature(event + " ", now, PurchasesConfigured.WEBHOOK_SECRET));
        for (String signature : refused) {
            StripeEvents.deliver(event, signature).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://tollgate.dev/problems/webhook-signature-invalid"));
        }
        assertThat(p.purchased()).isZero();
        assertThat(p.status()).isEqualTo("pending");

        StripeEvents.deliver(event, StripeEvents.signature(event, now - 200, PurchasesConfigured.WEBHOOK_SECRET))
                .then().statusCode(200);
        assertThat(p.purchased()).as("within the 5-minute tolerance").isEqualTo(Purchases.SMALL_MILLICREDITS);
    }

    @Test
    void fiftyConcurrentDeliveriesOfOneEventGrantOnce() throws Exception {
        Purchases p = Purchases.started("concurrent");
        String event = p.paid();
        String signature = StripeEvents.signature(event, Instant.now().getEpochSecond(), PurchasesConfigured.WEBHOOK_SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> deliveries = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                deliveries.add(pool.submit(() -> {
                    start.await();
                    return StripeEvents.deliver(event, signature).statusCode();
                }));
            }
            start.countDown();
        } finally {
            pool.shutdown();
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> delivery : deliveries) {
            statuses.add(delivery.get(90, TimeUnit.SECONDS));
        }

        assertThat(statuses).containsOnly(200);
        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
        assertThat(p.rows("PURCHASE")).isEqualTo(1);
        p.ledgerHolds();
    }
}
