package dev.tollgate.balance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BalanceResourceTest {

    @Test
    void firstCallOpensTheAccountWithThePlanAllowanceAsALedgerGrant() {
        String user = "balance-" + UUID.randomUUID();

        given().auth().oauth2(Tokens.user(user))
                .when().get("/api/credit/balance")
                .then().statusCode(200)
                .body("plan", equalTo("free"))
                .body("monthlyMillicredits", equalTo(100_000))
                .body("purchasedMillicredits", equalTo(0))
                .body("reservedMillicredits", equalTo(0))
                .body("availableMillicredits", equalTo(100_000))
                .body("availableCredits", equalTo(100.0f))
                .body("warningLevel", equalTo("ok"))
                .body("thresholds.lowMillicredits", equalTo(20_000))
                .body("thresholds.criticalMillicredits", equalTo(5_000));

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }

    @Test
    void secondCallDoesNotGrantAgain() {
        String user = "balance-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(Tokens.user(user)).get("/api/credit/balance").then().statusCode(200);
        }
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }
}
