package dev.tollgate.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.LedgerProbe;

@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class PurchaseCheckoutTest {

    @Test
    void thePacksAreListedSmallestFirst() {
        Api.as(Api.newUser("packs")).get("/api/credit/packs").then().statusCode(200)
                .body("packs.packId", equalTo(List.of("listed", "small", "large")))
                .body("packs[1].credits", equalTo(100))
                .body("packs[1].creditsMillicredits", equalTo(100_000))
                .body("packs[1].priceAmount", equalTo(500))
                .body("packs[1].priceCurrency", equalTo("usd"));
    }

    @Test
    void buyingAPackCreatesAPendingPurchaseAndOneCheckoutSessionAndMovesNoCredits() {
        String user = Api.openAccount("buy");
        String before = LedgerProbe.snapshot(user);
        Response response = Purchases.buy(user, "buy-1", "{\"packId\":\"small\"}");

        response.then().statusCode(201).header("Idempotent-Replayed", "false")
                .body("status", equalTo("pending")).body("packId", equalTo("small"))
                .body("creditsMillicredits", equalTo(100_000)).body("grantedMillicredits", equalTo(0));
        String purchaseId = response.jsonPath().getString("purchaseId");
        List<FakeStripe.Request> sessions = FakeStripe.start().sessionsFor(purchaseId);
        assertThat(sessions).hasSize(1);
        FakeStripe.Request session = sessions.get(0);
        assertThat(session.idempotencyKey()).isEqualTo("tollgate-checkout-" + purchaseId);
        assertThat(session.params()).containsEntry("mode", "payment")
                .containsEntry("metadata[purchase_id]", purchaseId)
                .containsEntry("payment_intent_data[metadata][purchase_id]", purchaseId)
                .containsEntry("line_items[0][quantity]", "1")
                .containsEntry("line_items[0][price_data][unit_amount]", "500")
                .containsEntry("line_items[0][price_data][currency]", "usd")
                .containsEntry("success_url", PurchasesConfigured.SUCCESS_URL)
                .containsEntry("cancel_url", PurchasesConfigured.CANCEL_URL);
        assertThat(response.jsonPath().getString("checkoutUrl")).isEqualTo(FakeStripe.start().checkoutBase() + "cs_test_"
                + response.jsonPath().getString("checkoutUrl").substring((FakeStripe.start().checkoutBase() + "cs_test_").length()));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void aPackWithAStripePriceIsSoldAtThatPrice() {
        String user = Api.openAccount("buy-listed");
        String purchaseId = Purchases.buy(user, "buy-listed", "{\"packId\":\"listed\"}").then().statusCode(201)
                .extract().path("purchaseId");
        assertThat(FakeStripe.start().sessionsFor(purchaseId).get(0).params())
                .containsEntry("line_items[0][price]", "price_test_listed")
                .doesNotContainKey("line_items[0][price_data][unit_amount]");
    }

    @Test
    void aRetryUnderTheSameKeyAnswersTheSamePurchase() {
        String user = Api.openAccount("buy-retry");
        String first = Purchases.buy(user, "buy-retry", "{\"packId\":\"small\"}").then().statusCode(201)
                .extract().path("purchaseId");
        Purchases.buy(user, "buy-retry", "{\"packId\":\"small\"}").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("purchaseId", equalTo(first));

        assertThat(FakeStripe.start().sessionsFor(first)).hasSize(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE user_id = ?", user)).isEqualTo(1);
    }

    @Test
    void theSameKeyForAnotherPackIsAConflict() {
        String user = Api.openAccount("buy-conflict");
        Purchases.buy(user, "buy-conflict", "{\"packId\":\"small\"}").then().statusCode(201);
        Purchases.buy(user, "buy-conflict", "{\"packId\":\"large\"}").then().statusCode(409)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reused"));
    }

    @Test
    void badInputIsAProblemAndChangesNothing() {
        String user = Api.openAccount("buy-bad");
        String before = LedgerProbe.snapshot(user);
        Purchases.buy(user, "buy-bad-1", "{\"packId\":\"huge\"}").then().statusCode(422)
                .contentType("application/problem+json").body("packId", equalTo("huge"));
        Purchases.buy(user, "buy-bad-2", "{}").then().statusCode(400).contentType("application/problem+json");
        Purchases.buy(user, "buy-bad-3", "{\"packId\":\"small\",\"extra\":1}").then().statusCode(400);
        Api.as(user).contentType("application/json").body("{\"packId\":\"small\"}").post("/api/credit/purchases")
                .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/idempotency-key-missing"));
        Api.as(user).get("/api/credit/purchases?size=0").then().statusCode(400);

        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE user_id = ?", user)).isZero();
    }

    @Test
    void whenStripeIsDownThePurchaseIs503AndARetryCompletesIt() {
        String user = Api.openAccount("buy-down");
        FakeStripe stripe = FakeStripe.start();
        stripe.down(true);
        try {
            Purchases.buy(user, "buy-down", "{\"packId\":\"small\"}").then().statusCode(503)
                    .header("Retry-After", "5")
                    .body("type", equalTo("https://tollgate.dev/problems/payment-provider-unavailable"));
        } finally {
            stripe.down(false);
        }
        Purchases.buy(user, "buy-down", "{\"packId\":\"small\"}").then().statusCode(201)
                .body("status", equalTo("pending")).body("checkoutUrl", org.hamcrest.Matchers.startsWith(FakeStripe.start().checkoutBase()));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE user_id = ?", user)).isEqualTo(1);
    }

    @Test
    void aUserSeesOnlyTheirOwnPurchases() {
        Purchases alice = Purchases.started("alice");
        String bob = Api.openAccount("bob");

        Api.as(alice.user()).get("/api/credit/purchases").then().statusCode(200)
                .body("items.purchaseId", equalTo(List.of(alice.purchaseId()))).body("more", equalTo(false));
        Api.as(bob).get("/api/credit/purchases").then().statusCode(200).body("items", equalTo(List.of()));
        Api.as(bob).get("/api/credit/purchases/" + alice.purchaseId()).then().statusCode(404)
                .body("type", equalTo("https://tollgate.dev/problems/purchase-not-found"));
        Api.as(bob).get("/api/credit/purchases/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aPaidPurchaseNoLongerShowsItsCheckoutUrl() {
        Purchases p = Purchases.started("paid-url");
        p.deliver(p.paid());
        Api.as(p.user()).get("/api/credit/purchases/" + p.purchaseId()).then().statusCode(200)
                .body("status", equalTo("paid")).body("checkoutUrl", nullValue())
                .body("grantedMillicredits", equalTo(100_000));
    }

    @Test
    void withoutATokenNothingIsBought() {
        io.restassured.RestAssured.given().contentType("application/json").header("Idempotency-Key", "anon")
                .body("{\"packId\":\"small\"}").post("/api/credit/purchases").then().statusCode(401);
    }
}
