package dev.tollgate.reservation;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Holds for other backends: reserve, settle the real usage or release, each at most once. */
@QuarkusTest
class ReservationResourceTest {

    private static final String PROMPT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"maxOutputTokens\":1000}";
    // gpt-4o output 1,000 credits/M: 300 output tokens = 0.3 credits; 100 input at 250/M = 0.025 credits.
    private static final String USAGE = "{\"usage\":{\"uncachedInputTokens\":100,\"outputTokens\":300},\"characterId\":\"luna\"}";

    static Response reserve(String user, String key, String body) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/credit/reservations");
    }

    static String holdId(Response response) {
        return response.then().statusCode(201).extract().path("reservationId");
    }

    @Test
    void aHoldCountsAgainstAvailableUntilItIsSettledAtTheRealCost() {
        String user = openAccount("hold");
        Response held = reserve(user, "r-1", PROMPT);
        held.then().statusCode(201)
                .body("status", equalTo("HELD"))
                .body("maxOutputTokens", equalTo(1000))
                .body("heldMillicredits", greaterThan(1000))
                .body("expiresAt", notNullValue());
        int heldAmount = held.path("heldMillicredits");
        String id = held.path("reservationId");
        as(user).get("/api/credit/balance").then()
                .body("reservedMillicredits", equalTo(heldAmount))
                .body("availableMillicredits", equalTo(100_000 - heldAmount));

        as(user).contentType(ContentType.JSON).body(USAGE).post("/api/credit/reservations/" + id + "/settle")
                .then().statusCode(200)
                .body("status", equalTo("SETTLED"))
                .body("costMillicredits", equalTo(325))
                .body("chargedMillicredits", equalTo(325))
                .body("shortfallMillicredits", equalTo(0))
                .body("releasedMillicredits", equalTo(heldAmount - 325))
                .body("balance.reservedMillicredits", equalTo(0))
                .body("balance.availableMillicredits", equalTo(100_000 - 325));

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 325, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND reservation_id IS NOT NULL AND character_id = 'luna'", user))
                .isEqualTo(1);
    }

    @Test
    void aSettleAboveTheHoldThatTheAccountCannotCoverRecordsItsShortfall() {
        // The backend reports more than it held for, and the account has nothing else: what cannot be
        // charged is answered and recorded, never dropped silently.
        String user = openAccount("hold");
        charge(user, "drain", chargeBody("gpt-4o", 0, 90_000)).then().statusCode(201);
        Response held = reserve(user, "r-over", PROMPT);
        int heldAmount = held.path("heldMillicredits");
        long available = 10_000 - heldAmount;
        String id = holdId(held);
        // 20,000 output tokens of gpt-4o: 20,000 millicredits, more than the hold and all that is left.
        as(user).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":0,\"outputTokens\":20000}}")
                .post("/api/credit/reservations/" + id + "/settle").then().statusCode(200)
                .body("costMillicredits", equalTo(20_000))
                .body("chargedMillicredits", equalTo((int) (heldAmount + available)))
                .body("shortfallMillicredits", equalTo((int) (20_000 - heldAmount - available)));
        assertThat(LedgerProbe.buckets(user)).containsExactly(0, 0, 0);
        assertThat(LedgerProbe.count("SELECT shortfall_millicredits FROM token_usage WHERE user_id = ? AND reservation_id IS NOT NULL",
                user)).isEqualTo(20_000 - heldAmount - available);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aKeyInTollgatesOwnNamespaceIsRefusedForHoldsAndCharges() {
        String user = openAccount("hold");
        String before = LedgerProbe.snapshot(user);
        reserve(user, "tollgate:release:x", PROMPT).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reserved"));
        charge(user, "Tollgate:settle:x", chargeBody("gpt-4o", 1, 1)).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reserved"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void settleIsIdempotentByReservationAndAHoldResolvesOnce() {
        String user = openAccount("hold");
        String id = holdId(reserve(user, "r-2", PROMPT));
        String settle = "/api/credit/reservations/" + id + "/settle";
        String first = as(user).contentType(ContentType.JSON).body(USAGE).post(settle).then().statusCode(200).extract().asString();
        String again = as(user).contentType(ContentType.JSON).body(USAGE).post(settle).then().statusCode(200).extract().asString();
        assertThat(again).isEqualTo(first);

        String before = LedgerProbe.snapshot(user);
        as(user).contentType(ContentType.JSON).body(USAGE.replace("300", "301")).post(settle)
                .then().statusCode(409).contentType("application/problem+json");
        as(user).post("/api/credit/reservations/" + id + "/release")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/reservation-already-resolved"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void releaseFreesTheHoldOnceAndARetryAnswersTheSame() {
        String user = openAccount("hold");
        String id = holdId(reserve(user, "r-3", PROMPT));
        String first = as(user).post("/api/credit/reservations/" + id + "/release").then().statusCode(200)
                .body("status", equalTo("RELEASED")).body("balance.reservedMillicredits", equalTo(0))
                .extract().asString();
        String again = as(user).post("/api/credit/reservations/" + id + "/release").then().statusCode(200).extract().asString();
        assertThat(again).isEqualTo(first);
        as(user).contentType(ContentType.JSON).body(USAGE).post("/api/credit/reservations/" + id + "/settle")
                .then().statusCode(409);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(100_000, 0, 0);
    }

    @Test
    void reservingTwiceUnderOneKeyHoldsOnce() {
        String user = openAccount("hold");
        String first = reserve(user, "same", PROMPT).then().statusCode(201)
                .header("Idempotent-Replayed", "false").extract().asString();
        String again = reserve(user, "same", PROMPT).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().asString();
        assertThat(again).isEqualTo(first);
        reserve(user, "same", PROMPT.replace("1000", "999")).then().statusCode(409);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ?", user)).isEqualTo(1);
    }

    @Test
    void aHoldTheAccountCannotCoverIs402AndChangesNothing() {
        String user = openAccount("hold");
        String before = LedgerProbe.snapshot(user);
        reserve(user, "big", "{\"model\":\"claude-sonnet-4\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":100000}")
                .then().statusCode(402).contentType("application/problem+json")
                .body("availableMillicredits", equalTo(100_000));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void anotherUsersHoldIsNotFound() {
        String owner = openAccount("hold");
        String other = openAccount("hold");
        String id = holdId(reserve(owner, "mine", PROMPT));
        String before = LedgerProbe.snapshot(owner);
        as(other).contentType(ContentType.JSON).body(USAGE).post("/api/credit/reservations/" + id + "/settle")
                .then().statusCode(404).contentType("application/problem+json");
        as(other).post("/api/credit/reservations/" + id + "/release").then().statusCode(404);
        as(other).post("/api/credit/reservations/not-a-uuid/release").then().statusCode(404);
        as(other).post("/api/credit/reservations/" + UUID.randomUUID() + "/release").then().statusCode(404);
        assertThat(LedgerProbe.snapshot(owner)).isEqualTo(before);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String user = openAccount("hold");
        String before = LedgerProbe.snapshot(user);
        reserve(user, "bad-1", "{\"model\":\"gpt-4o\",\"messages\":[]}").then().statusCode(400);
        reserve(user, "bad-2", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"maxOutputTokens\":-4}").then().statusCode(400);
        reserve(user, "bad-3", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").then().statusCode(422);
        as(user).contentType(ContentType.JSON).body(PROMPT).post("/api/credit/reservations").then().statusCode(400);
        String id = holdId(reserve(user, "ok", PROMPT));
        String held = LedgerProbe.snapshot(user);
        as(user).contentType(ContentType.JSON).body("{\"usage\":{\"uncachedInputTokens\":-1,\"outputTokens\":1}}")
                .post("/api/credit/reservations/" + id + "/settle").then().statusCode(400);
        as(user).contentType(ContentType.JSON).body("{}").post("/api/credit/reservations/" + id + "/settle").then().statusCode(400);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(held);
        assertThat(before).isNotEqualTo(held);
    }
}
