package dev.tollgate.purchase;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;

@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class AutoTopUpTest {

    static final String MODEL = "auto-top-up-model";
    static final String VISA = "pm_card_visa";

    @BeforeAll
    static void price() {
        // 1 millicredit per token: a charge of n tokens spends n millicredits.
        LedgerProbe.seedPrice(MODEL);
    }

    @Test
    void theSettingIsReadAndSetAndBadInputChangesNothing() {
        String user = Api.openAccount("top-up-setting");
        Api.as(user).get("/api/credit/auto-top-up").then().statusCode(200)
                .body("enabled", equalTo(false)).body("thresholdCredits", nullValue())
                .body("paymentMethodSaved", equalTo(false));

        put(user, "{\"enabled\":true,\"thresholdCredits\":20,\"packId\":\"small\"}").then().statusCode(200)
                .body("enabled", equalTo(true)).body("thresholdCredits", equalTo(20)).body("packId", equalTo("small"))
                .body("paymentMethodSaved", equalTo(false)).body("disabledReason", nullValue());
        put(user, "{\"enabled\":true,\"packId\":\"small\"}").then().statusCode(400).contentType("application/problem+json");
        put(user, "{\"enabled\":true,\"thresholdCredits\":0,\"packId\":\"small\"}").then().statusCode(400);
        put(user, "{\"enabled\":true,\"thresholdCredits\":20,\"packId\":\"huge\"}").then().statusCode(422)
                .body("packId", equalTo("huge"));
        put(user, "{\"thresholdCredits\":20}").then().statusCode(400);
        Api.as(user).get("/api/credit/auto-top-up").then().body("thresholdCredits", equalTo(20));

        put(user, "{\"enabled\":false}").then().statusCode(200).body("enabled", equalTo(false))
                .body("thresholdCredits", equalTo(20));
        Api.as(user).get("/api/credit/balance").then().statusCode(200)
                .body("autoTopUp.enabled", equalTo(false)).body("autoTopUp.thresholdCredits", equalTo(20))
                .body("autoTopUp.packId", equalTo("small"));
        Api.as(Api.openAccount("top-up-none")).get("/api/credit/balance").then().body("autoTopUp", nullValue());
    }

    @Test
    void aPurchaseMadeWithAutoTopUpOnSavesTheCardToTheUsersCustomer() {
        Purchases p = withSavedCard("top-up-save", VISA, 20);

        FakeStripe.Request session = FakeStripe.start().sessionsFor(p.purchaseId()).get(0);
        assertThat(session.params()).containsEntry("payment_intent_data[setup_future_usage]", "off_session")
                .containsKey("customer");
        assertThat(FakeStripe.start().requests("/v1/customers")).filteredOn(r -> p.user().equals(r.params().get("metadata[user_id]")))
                .extracting(FakeStripe.Request::idempotencyKey).containsExactly("tollgate-customer-" + p.user());
        Api.as(p.user()).get("/api/credit/auto-top-up").then().body("paymentMethodSaved", equalTo(true));
    }

    @Test
    void belowTheThresholdOneTopUpIsQueuedChargedOnceAndGrantedByStripesEvent() {
        Purchases p = withSavedCard("top-up-run", VISA, 150);
        // 100 monthly + 100 bought credits: spending 60 leaves 140, below 150.
        spend(p.user(), 60_000);
        assertThat(pendingTopUps(p.user())).isEqualTo(1);
        spend(p.user(), 1_000);
        assertThat(pendingTopUps(p.user())).as("at most one in flight").isEqualTo(1);

        runJob().then().statusCode(200).body("processed", equalTo(1));
        runJob().then().statusCode(200).body("processed", equalTo(0));
        String topUp = LedgerProbe.text("SELECT id::text FROM credit_purchase WHERE user_id = ? AND origin = 'auto_top_up'", p.user());
        List<FakeStripe.Request> charges = FakeStripe.start().requests("/v1/payment_intents").stream()
                .filter(r -> topUp.equals(r.params().get("metadata[purchase_id]"))).toList();
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).idempotencyKey()).isEqualTo("tollgate-top-up-" + topUp);
        assertThat(charges.get(0).params()).containsEntry("amount", "500").containsEntry("currency", "usd")
                .containsEntry("off_session", "true").containsEntry("confirm", "true")
                .containsEntry("payment_method", VISA);
        long purchasedBefore = p.purchased();

        String paymentIntent = LedgerProbe.text("SELECT payment_intent_id FROM credit_purchase WHERE id = CAST(? AS uuid)", topUp);
        String succeeded = StripeEvents.event("payment_intent.succeeded",
                StripeEvents.paymentIntent(paymentIntent, topUp, 500, null, VISA, null));
        p.deliver(succeeded);
        p.deliver(succeeded);
        assertThat(p.purchased()).isEqualTo(purchasedBefore + Purchases.SMALL_MILLICREDITS);
        assertThat(pendingTopUps(p.user())).isZero();
        Api.as(p.user()).get("/api/credit/purchases/" + topUp).then().body("status", equalTo("paid"));
        p.ledgerHolds();
    }

    @Test
    void threeDeclinedPaymentsInARowSwitchAutoTopUpOffAndSaySo() {
        Purchases p = withSavedCard("top-up-declined", FakeStripe.DECLINED_CARD, 250);
        for (int i = 1; i <= 3; i++) {
            spend(p.user(), 1_000);
            assertThat(pendingTopUps(p.user())).as("queued, attempt " + i).isEqualTo(1);
            runJob().then().statusCode(200).body("failed", equalTo(1));
            assertThat(pendingTopUps(p.user())).isZero();
        }
        Api.as(p.user()).get("/api/credit/auto-top-up").then().body("enabled", equalTo(false))
                .body("consecutiveFailures", equalTo(3)).body("disabledReason", notNullValue());
        Api.as(p.user()).get("/api/credit/balance").then().body("autoTopUp.disabledReason", notNullValue());
        Api.as(p.user()).get("/api/credit/purchases").then().body("items.status", org.hamcrest.Matchers.hasItem("failed"));

        spend(p.user(), 1_000);
        assertThat(pendingTopUps(p.user())).as("off: nothing is queued").isZero();
        put(p.user(), "{\"enabled\":true,\"thresholdCredits\":250,\"packId\":\"small\"}").then().statusCode(200)
                .body("consecutiveFailures", equalTo(0)).body("disabledReason", nullValue());
        p.ledgerHolds();
    }

    @Test
    void withoutASavedCardNothingIsQueued() {
        String user = Api.openAccount("top-up-no-card");
        put(user, "{\"enabled\":true,\"thresholdCredits\":150,\"packId\":\"small\"}").then().statusCode(200);
        spend(user, 60_000);
        assertThat(pendingTopUps(user)).isZero();
    }

    /** A user with auto top-up on and a card saved by a paid purchase of the small pack. */
    static Purchases withSavedCard(String prefix, String card, long thresholdCredits) {
        String user = Api.openAccount(prefix);
        put(user, "{\"enabled\":true,\"thresholdCredits\":" + thresholdCredits + ",\"packId\":\"small\"}")
                .then().statusCode(200);
        Response bought = Purchases.buy(user, "buy-" + UUID.randomUUID(), "{\"packId\":\"small\"}");
        bought.then().statusCode(201);
        String purchaseId = bought.jsonPath().getString("purchaseId");
        String url = bought.jsonPath().getString("checkoutUrl");
        Purchases p = new Purchases(user, purchaseId, url.substring(FakeStripe.start().checkoutBase().length()),
                "pi_" + UUID.randomUUID().toString().replace("-", ""));
        String customer = FakeStripe.start().sessionsFor(purchaseId).get(0).params().get("customer");
        p.deliver(p.paid());
        p.deliver(StripeEvents.event("payment_intent.succeeded",
                StripeEvents.paymentIntent(p.paymentIntent(), purchaseId, 500, customer, card, "off_session")));
        Api.as(user).get("/api/credit/auto-top-up").then().body("paymentMethodSaved", equalTo(true));
        return p;
    }

    static Response put(String user, String body) {
        return Api.as(user).contentType(ContentType.JSON).body(body).put("/api/credit/auto-top-up");
    }

    static void spend(String user, long millicredits) {
        Api.charge(user, "spend-" + UUID.randomUUID(), Api.chargeBody(MODEL, millicredits, 0)).then().statusCode(201);
    }

    static long pendingTopUps(String user) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_purchase WHERE user_id = ? AND origin = 'auto_top_up' "
                + "AND status = 'pending'", user);
    }

    static Response runJob() {
        return given().auth().oauth2(Tokens.admin("top-up-admin")).post("/api/admin/jobs/process-top-ups");
    }
}
