package dev.tollgate.security;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.Api.preCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** A user's token never reads or changes another user's account, whatever the request names. */
@QuarkusTest
class CrossUserTest {

    @Test
    void balanceIsAlwaysTheCallersOwnWhateverTheQueryNames() {
        String alice = openAccount("alice");
        String bob = openAccount("bob");
        charge(alice, "alice-1", chargeBody("gpt-4o", 0, 10_000)).then().statusCode(201);

        as(bob).queryParam("userId", alice).queryParam("user", alice).get("/api/credit/balance")
                .then().statusCode(200).body("availableMillicredits", equalTo(100_000));
    }

    @Test
    void usageNeverShowsAnotherUsersCalls() {
        String alice = openAccount("alice");
        String bob = openAccount("bob");
        charge(alice, "alice-usage", chargeBody("gpt-4o-mini", 100, 100)).then().statusCode(201);

        as(bob).queryParam("userId", alice).get("/api/credit/usage")
                .then().statusCode(200)
                .body("totals.calls", equalTo(0))
                .body("calls.items.size()", equalTo(0));
    }

    @Test
    void anotherUsersIdempotencyKeyNeitherReplaysNorTouchesTheirCharge() {
        String alice = openAccount("alice");
        String bob = openAccount("bob");
        String body = chargeBody("gpt-4o-mini", 1000, 1000);
        String aliceCharge = charge(alice, "shared-key", body).then().statusCode(201).extract().path("chargeId").toString();
        String aliceBefore = LedgerProbe.snapshot(alice);

        charge(bob, "shared-key", body).then().statusCode(201)
                .header("Idempotent-Replayed", "false")
                .body("chargeId", not(equalTo(Long.valueOf(aliceCharge))))
                .body("balance.monthlyMillicredits", equalTo(100_000 - 75));

        assertThat(LedgerProbe.snapshot(alice)).isEqualTo(aliceBefore);
        assertThat(LedgerProbe.usageRows(bob)).isEqualTo(1);
    }

    @Test
    void aChargeBodyCannotNameAnotherUser() {
        String alice = openAccount("alice");
        String bob = openAccount("bob");
        String aliceBefore = LedgerProbe.snapshot(alice);
        as(bob).contentType(ContentType.JSON).header("Idempotency-Key", "name-alice")
                .body("{\"userId\":\"" + alice + "\",\"model\":\"gpt-4o-mini\",\"usage\":{\"uncachedInputTokens\":10,\"outputTokens\":10}}")
                .post("/api/credit/charges")
                .then().statusCode(400);
        assertThat(LedgerProbe.snapshot(alice)).isEqualTo(aliceBefore);
    }

    @Test
    void preCheckAnswersWithTheCallersOwnBalance() {
        String alice = openAccount("alice");
        String bob = openAccount("bob");
        charge(alice, "drain", chargeBody("gpt-4o", 0, 99_000)).then().statusCode(201);

        preCheck(bob, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")
                .then().statusCode(200).body("availableMillicredits", equalTo(100_000));
    }
}
