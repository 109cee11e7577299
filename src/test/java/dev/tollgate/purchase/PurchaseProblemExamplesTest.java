package dev.tollgate.purchase;

import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.tollgate.observability.DocumentedExamplesTest;
import dev.tollgate.observability.DocumentedExamplesTest.Answer;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.FakeStripe;

/** The catalogue's examples of the purchase problems have the shape of real answers. */
@QuarkusTest
@TestProfile(PurchasesConfigured.class)
class PurchaseProblemExamplesTest {

    @ParameterizedTest
    @EnumSource(value = ProblemType.class, names = { "UNKNOWN_PACK", "PURCHASE_NOT_FOUND", "PURCHASE_NOT_REFUNDABLE",
            "WEBHOOK_SIGNATURE_INVALID", "PAYMENT_PROVIDER_UNAVAILABLE" })
    void theExampleOfEveryPurchaseProblemHasTheShapeOfARealAnswer(ProblemType type) throws Exception {
        DocumentedExamplesTest.assertHasTheShapeOfTheExample(type, Answer.of(answerTo(type)));
    }

    private static Response answerTo(ProblemType type) {
        String user = Api.openAccount("purchase-examples");
        return switch (type) {
            case UNKNOWN_PACK -> Purchases.buy(user, "examples-" + UUID.randomUUID(), "{\"packId\":\"huge\"}");
            case PURCHASE_NOT_FOUND -> Api.as(user).get("/api/credit/purchases/" + UUID.randomUUID());
            case PURCHASE_NOT_REFUNDABLE -> io.restassured.RestAssured.given()
                    .auth().oauth2(dev.tollgate.testing.Tokens.admin("examples-admin")).contentType("application/json")
                    .body("{\"reason\":\"test\"}")
                    .post("/api/admin/purchases/" + Purchases.started("examples-unpaid").purchaseId() + "/refund");
            case WEBHOOK_SIGNATURE_INVALID -> StripeEvents.deliver("{}", "t=1,v1=00");
            case PAYMENT_PROVIDER_UNAVAILABLE -> {
                FakeStripe.start().down(true);
                try {
                    yield Purchases.buy(user, "examples-" + UUID.randomUUID(), "{\"packId\":\"small\"}");
                } finally {
                    FakeStripe.start().down(false);
                }
            }
            default -> throw new AssertionError(type + " is not a purchase problem");
        };
    }
}
