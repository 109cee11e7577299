package dev.tollgate.purchase;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;

/** Without Stripe configured (the default), the purchase endpoints say so, and nothing changes. */
@QuarkusTest
class PurchasesNotConfiguredTest {

    private static final String NOT_CONFIGURED = "https://tollgate.dev/problems/purchases-not-configured";

    @Test
    void everyPurchaseEndpointAnswersPurchasesNotConfigured() {
        String user = Api.openAccount("no-stripe");
        String before = LedgerProbe.snapshot(user);

        Api.as(user).get("/api/credit/packs").then().statusCode(404).body("type", equalTo(NOT_CONFIGURED));
        Api.as(user).get("/api/credit/purchases").then().statusCode(404).body("type", equalTo(NOT_CONFIGURED));
        Purchases.buy(user, "buy-1", "{\"packId\":\"small\"}").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo(NOT_CONFIGURED));
        given().contentType("application/json").header("Stripe-Signature", "t=1,v1=00").body("{}")
                .post("/api/webhooks/stripe").then().statusCode(404).body("type", equalTo(NOT_CONFIGURED));
        given().auth().oauth2(Tokens.admin("no-stripe-admin")).contentType("application/json")
                .body("{\"reason\":\"test\"}").post("/api/admin/purchases/0b6f1c3e-5d2a-4c7e-9a51-2f0c8e4d7b11/refund")
                .then().statusCode(404).body("type", equalTo(NOT_CONFIGURED));

        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }
}
