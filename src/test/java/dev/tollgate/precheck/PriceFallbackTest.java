package dev.tollgate.precheck;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.Api.preCheck;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

/**
 * When prices cannot be read, pre-checks are served from the last prices read; charges are not
 * charged at a guessed price. (The price table is renamed for the length of the test: a real
 * failure of the query, not a mock.)
 */
@QuarkusTest
class PriceFallbackTest {

    private static final String PRE_CHECK = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world!\"}],\"maxOutputTokens\":1000}";

    @Test
    void preChecksUseTheLastKnownPricesWhileChargesWaitForTheDatabase() throws Exception {
        String user = openAccount("fallback");
        preCheck(user, PRE_CHECK)
                .then().statusCode(200).body("estimatedMillicredits", equalTo(73));
        Thread.sleep(1_100); // past the test profile's price cache TTL: the next read goes to the database
        LedgerProbe.execute("ALTER TABLE model_pricing RENAME TO model_pricing_unreachable");
        try {
            preCheck(user, PRE_CHECK)
                    .then().statusCode(200).body("estimatedMillicredits", equalTo(73));
            String before = LedgerProbe.snapshot(user);
            charge(user, "during-outage", chargeBody("gpt-4o-mini", 10, 10)).then().statusCode(503)
                    .contentType("application/problem+json");
            org.assertj.core.api.Assertions.assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        } finally {
            LedgerProbe.execute("ALTER TABLE model_pricing_unreachable RENAME TO model_pricing");
        }
        charge(user, "after-outage", chargeBody("gpt-4o-mini", 10, 10)).then().statusCode(201);
    }
}
