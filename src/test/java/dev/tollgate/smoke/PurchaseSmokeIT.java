package dev.tollgate.smoke;

import static dev.tollgate.testing.Api.as;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.tollgate.purchase.PurchasesConfigured;
import dev.tollgate.purchase.StripeEvents;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;

/**
 * The packaged application with Stripe configured (the tests' fake): a pack bought through
 * Checkout and granted by Stripe's signed event, so that stripe-java, its models and the webhook's
 * signature check work in the artifact that ships, not only in the test JVM.
 */
@QuarkusIntegrationTest
@TestProfile(PurchasesConfigured.class)
class PurchaseSmokeIT {

    @Test
    void aPackIsBoughtThroughCheckoutAndGrantedByStripesEvent() {
        String user = Api.openAccount("smoke-buy");
        as(user).get("/api/credit/packs").then().statusCode(200).body("packs[1].packId", equalTo("small"));
        Response bought = as(user).contentType(ContentType.JSON).header("Idempotency-Key", "smoke-buy")
                .body("{\"packId\":\"small\"}").post("/api/credit/purchases");
        bought.then().statusCode(201).body("status", equalTo("pending"));
        String purchaseId = bought.jsonPath().getString("purchaseId");
        String session = bought.jsonPath().getString("checkoutUrl").substring(FakeStripe.start().checkoutBase().length());

        StripeEvents.deliver(StripeEvents.event("checkout.session.completed",
                StripeEvents.session(purchaseId, session, "pi_smoke_" + purchaseId.substring(0, 8), "paid", 500, "usd")))
                .then().statusCode(200);
        StripeEvents.deliver("{}", "t=1,v1=00").then().statusCode(400);

        as(user).get("/api/credit/balance").then().statusCode(200).body("purchasedMillicredits", equalTo(100_000));
        as(user).get("/api/credit/purchases/" + purchaseId).then().body("status", equalTo("paid"));
    }
}
