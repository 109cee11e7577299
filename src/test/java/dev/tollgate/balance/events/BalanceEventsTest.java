package dev.tollgate.balance.events;

import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class BalanceEventsTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    // gpt-4o-mini: 1,000 input + 500 output tokens = 45 millicredits.
    static final long COST = 45;

    @Test
    void theStreamStartsWithTheBalanceAndSendsTheNewOneAfterACharge() throws Exception {
        String user = openAccount("events");
        try (EventStream stream = EventStream.open(Tokens.user(user))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            stream.read();

            EventStream.Event snapshot = stream.next(WAIT);
            assertThat(snapshot).as("snapshot on connect").isNotNull();
            assertThat(snapshot.name()).isEqualTo("balance");
            assertThat(snapshot.available()).isEqualTo(100_000);
            assertThat(snapshot.json().getString("warningLevel")).isEqualTo("ok");
            assertThat(snapshot.json().getJsonObject("thresholds").getLong("lowMillicredits")).isEqualTo(20_000);
            assertThat(snapshot.id()).isEqualTo(Long.toString(latestEntry(user)));

            JsonPath charged = charge(user, "events-1", chargeBody("gpt-4o-mini", 1000, 500))
                    .then().statusCode(201).extract().jsonPath();

            EventStream.Event change = stream.awaitAvailable(100_000 - COST, WAIT);
            assertThat(change).as("the balance after the charge, pushed").isNotNull();
            assertThat(change.name()).isEqualTo("balance");
            assertThat(change.json().getLong("monthlyMillicredits")).isEqualTo(100_000 - COST);
            assertThat(change.id()).isEqualTo(Long.toString(latestEntry(user)))
                    .isEqualTo(Long.toString(charged.getLong("chargeId")));
        }
    }

    @Test
    void aUsersStreamNeverCarriesAnotherUsersBalance() throws Exception {
        String alice = openAccount("events-alice");
        String bob = openAccount("events-bob");
        try (EventStream aliceStream = EventStream.open(Tokens.user(alice)).read();
                EventStream bobStream = EventStream.open(Tokens.user(bob)).read()) {
            assertThat(aliceStream.next(WAIT)).isNotNull();
            EventStream.Event bobSnapshot = bobStream.next(WAIT);
            assertThat(bobSnapshot).isNotNull();
            assertThat(bobSnapshot.available()).isEqualTo(100_000);

            charge(alice, "alice-1", chargeBody("gpt-4o-mini", 1000, 500)).then().statusCode(201);
            assertThat(aliceStream.awaitAvailable(100_000 - COST, WAIT)).isNotNull();
            // Alice's change has been fanned out; Bob's stream got nothing from it.
            assertThat(bobStream.next(Duration.ofSeconds(1))).isNull();

            // Bob's stream is live: his own charge reaches it, with his balance.
            charge(bob, "bob-1", chargeBody("gpt-4o-mini", 2000, 1000)).then().statusCode(201);
            EventStream.Event bobChange = bobStream.next(WAIT);
            assertThat(bobChange).isNotNull();
            assertThat(bobChange.available()).isEqualTo(100_000 - 2 * COST);
            assertThat(aliceStream.next(Duration.ofSeconds(1))).isNull();
        }
    }

    @Test
    void aChangeMadeByAnotherPathOfTheApplicationIsPushedToo() throws Exception {
        // An admin's adjustment: another resource, another service, another user's token; the
        // ledger announces it like any change it makes.
        String user = openAccount("events-adjusted");
        try (EventStream stream = EventStream.open(Tokens.user(user)).read()) {
            assertThat(stream.next(WAIT)).isNotNull();
            given().auth().oauth2(Tokens.admin("events-admin")).contentType(ContentType.JSON)
                    .header("Idempotency-Key", "events-adjust-" + UUID.randomUUID())
                    .body("{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":5000,"
                            + "\"reason\":\"goodwill\"}")
                    .post("/api/admin/credit/adjustments").then().statusCode(201);

            EventStream.Event change = stream.awaitAvailable(105_000, WAIT);
            assertThat(change).as("the balance after the adjustment, pushed").isNotNull();
            assertThat(change.json().getLong("purchasedMillicredits")).isEqualTo(5_000);
            assertThat(change.id()).isEqualTo(Long.toString(latestEntry(user)));
            assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        }
    }

    @Test
    void withoutATokenTheStreamIsRefused() throws Exception {
        try (EventStream stream = EventStream.open(null)) {
            assertThat(stream.response().statusCode()).isEqualTo(401);
            assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }
        try (EventStream stream = EventStream.open(Tokens.expired("events-expired"))) {
            assertThat(stream.response().statusCode()).isEqualTo(401);
        }
    }

    static long latestEntry(String user) {
        return LedgerProbe.count("SELECT MAX(id) FROM credit_audit_log WHERE user_id = ?", user);
    }
}
