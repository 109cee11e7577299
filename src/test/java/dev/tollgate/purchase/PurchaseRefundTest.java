package dev.tollgate.purchase;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.tollgate.testing.FakeStripe;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;

@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class PurchaseRefundTest {

    private static final String REFUND = "{\"reason\":\"charged twice by mistake\"}";

    @Test
    void anAdminRefundAsksStripeOnceAndTheWebhookTakesTheCreditsBack() {
        Purchases p = Purchases.started("admin-refund");
        p.deliver(p.paid());

        for (int i = 0; i < 2; i++) {
            asAdmin().body(REFUND).post("/api/admin/purchases/" + p.purchaseId() + "/refund").then().statusCode(200)
                    .body("purchaseId", equalTo(p.purchaseId())).body("status", equalTo("requested"));
        }
        List<FakeStripe.Request> refunds = FakeStripe.start().requests("/v1/refunds").stream()
                .filter(r -> p.paymentIntent().equals(r.params().get("payment_intent"))).toList();
        assertThat(refunds).extracting(FakeStripe.Request::idempotencyKey).containsOnly("tollgate-refund-" + p.purchaseId());
        assertThat(refunds.get(0).params()).containsEntry("metadata[reason]", "charged twice by mistake");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE operation = 'REFUND_REQUEST' "
                + "AND metadata ->> 'purchaseId' = ? AND metadata ->> 'reason' = 'charged twice by mistake'", p.purchaseId()))
                .isEqualTo(2);
        assertThat(p.purchased()).as("nothing is taken back before Stripe reports the refund")
                .isEqualTo(Purchases.SMALL_MILLICREDITS);

        p.deliver(p.refunded(Purchases.SMALL_PRICE));
        assertThat(p.purchased()).isZero();
        asAdmin().body(REFUND).post("/api/admin/purchases/" + p.purchaseId() + "/refund").then().statusCode(409)
                .body("status", equalTo("refunded"));
    }

    @Test
    void anUnpaidPurchaseCannotBeRefunded() {
        Purchases p = Purchases.started("refund-unpaid");
        asAdmin().body(REFUND).post("/api/admin/purchases/" + p.purchaseId() + "/refund").then().statusCode(409)
                .body("type", equalTo("https://tollgate.dev/problems/purchase-not-refundable"));
    }

    @Test
    void aRefundNeedsAReasonAndTheAdminRole() {
        Purchases p = Purchases.started("refund-rules");
        p.deliver(p.paid());
        asAdmin().body("{}").post("/api/admin/purchases/" + p.purchaseId() + "/refund").then().statusCode(400);
        given().auth().oauth2(Tokens.user(p.user())).contentType("application/json").body(REFUND)
                .post("/api/admin/purchases/" + p.purchaseId() + "/refund").then().statusCode(403);
        assertThat(p.purchased()).isEqualTo(Purchases.SMALL_MILLICREDITS);
    }

    @Test
    void theAccountViewShowsTheAccountsPurchases() {
        Purchases p = Purchases.started("admin-view");
        p.deliver(p.paid());
        asAdmin().get("/api/admin/accounts/" + p.user()).then().statusCode(200)
                .body("purchases[0].purchaseId", equalTo(p.purchaseId()))
                .body("purchases[0].status", equalTo("paid"))
                .body("purchases[0].origin", equalTo("checkout"))
                .body("purchases[0].paymentIntentId", equalTo(p.paymentIntent()))
                .body("purchases[0].unrecoveredMillicredits", equalTo(0))
                .body("unrecoveredPurchaseCount", equalTo(0));
    }

    private static io.restassured.specification.RequestSpecification asAdmin() {
        return given().auth().oauth2(Tokens.admin("refund-admin")).contentType("application/json");
    }
}
