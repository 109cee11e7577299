package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApi.adjust;
import static dev.tollgate.admin.AdminApi.adjustment;
import static dev.tollgate.admin.AdminApi.asAdmin;
import static dev.tollgate.admin.AdminApi.newAdmin;
import static dev.tollgate.admin.AdminApi.text;
import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.charge;
import static dev.tollgate.testing.Api.chargeBody;
import static dev.tollgate.testing.Api.openAccount;
import static dev.tollgate.testing.LedgerProbe.assertBalanced;
import static dev.tollgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tollgate.testing.ConcurrentCalls;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** {@code POST /api/admin/credit/adjustments}: audited, idempotent, never overdrawing, strict about its input. */
@QuarkusTest
class AdjustmentTest {

    private final String admin = newAdmin();

    @Test
    void aGrantToPurchasedIsAppliedAndAuditedWithTheAdminTheClientAndTheReason() {
        String user = openAccount("adjust");
        String key = "grant-" + UUID.randomUUID();
        adjust(admin, key, adjustment(user, "purchased", 5_000, "Goodwill: outage on 2025-03-01 \\\"quoted\\\""))
                .then().statusCode(201)
                .contentType(ContentType.JSON)
                .header("Idempotent-Replayed", "false")
                .body("entryId", notNullValue())
                .body("userId", equalTo(user))
                .body("bucket", equalTo("purchased"))
                .body("amountMillicredits", equalTo(5_000))
                .body("amountCredits", equalTo(new BigDecimal("5.000")))
                .body("reason", equalTo("Goodwill: outage on 2025-03-01 \"quoted\""))
                .body("actor", equalTo("admin:" + admin))
                .body("monthlyDeltaMillicredits", equalTo(0))
                .body("purchasedDeltaMillicredits", equalTo(5_000))
                .body("reservedDeltaMillicredits", equalTo(0))
                .body("balance.monthlyMillicredits", equalTo(100_000))
                .body("balance.purchasedMillicredits", equalTo(5_000))
                .body("balance.availableMillicredits", equalTo(105_000))
                .body("idempotencyKey", equalTo(key))
                .body("createdAt", notNullValue());

        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 5_000, 0);
        assertBalanced(user);
        String row = "SELECT %s FROM credit_audit_log WHERE user_id = ? AND operation = 'ADJUST'";
        assertThat(text(row.formatted("actor"), user)).isEqualTo("admin:" + admin);
        assertThat(text(row.formatted("client_ip"), user)).isNotBlank();
        assertThat(text(row.formatted("user_agent"), user)).isEqualTo(AdminApi.USER_AGENT);
        assertThat(text(row.formatted("idempotency_key"), user)).isEqualTo("tollgate:adjust:" + key);
        assertThat(text(row.formatted("metadata->>'reason'"), user)).isEqualTo("Goodwill: outage on 2025-03-01 \"quoted\"");
        assertThat(text(row.formatted("metadata->>'admin'"), user)).isEqualTo(admin);
        assertThat(text(row.formatted("jsonb_typeof(metadata)"), user)).isEqualTo("object");
    }

    @Test
    void aNegativeAdjustmentOfTheMonthlyBucketTakesFromItOnly() {
        String user = openAccount("adjust");
        adjust(admin, "m-" + UUID.randomUUID(), adjustment(user, "purchased", 2_000, "top-up by hand"))
                .then().statusCode(201);
        adjust(admin, "m-" + UUID.randomUUID(), adjustment(user, "monthly", -30_000, "duplicate allowance"))
                .then().statusCode(201)
                .body("monthlyDeltaMillicredits", equalTo(-30_000))
                .body("purchasedDeltaMillicredits", equalTo(0))
                .body("balance.monthlyMillicredits", equalTo(70_000))
                .body("balance.purchasedMillicredits", equalTo(2_000));
        assertThat(LedgerProbe.buckets(user)).containsExactly(70_000, 2_000, 0);
        assertBalanced(user);
    }

    @Test
    void theLargestAdjustmentIsAccepted() {
        String user = openAccount("adjust");
        adjust(admin, "max-" + UUID.randomUUID(), adjustment(user, "purchased", 1_000_000_000_000L, "upper bound"))
                .then().statusCode(201).body("balance.purchasedMillicredits", equalTo(1_000_000_000_000L));
        adjust(admin, "max-" + UUID.randomUUID(), adjustment(user, "purchased", -1_000_000_000_000L, "lower bound"))
                .then().statusCode(201).body("balance.purchasedMillicredits", equalTo(0));
        assertBalanced(user);
    }

    @Test
    void theAccountOfAUserNeverSeenIsOpenedFirst() {
        String user = "adjust-new-" + UUID.randomUUID();
        adjust(admin, "open-" + UUID.randomUUID(), adjustment(user, "purchased", 1_000, "welcome credits"))
                .then().statusCode(201)
                .body("balance.monthlyMillicredits", equalTo(100_000))
                .body("balance.purchasedMillicredits", equalTo(1_000));
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2); // the opening grant, then the adjustment
        assertBalanced(user);
    }

    @Test
    void aRetryWithTheSameKeyAndBodyAnswersTheSameBodyAndAppliesOnce() {
        String user = openAccount("adjust");
        String key = "retry-" + UUID.randomUUID();
        String body = adjustment(user, "purchased", 750, "refund of ticket 42");
        Response first = adjust(admin, key, body);
        Response second = adjust(admin, key, body);

        first.then().statusCode(201).header("Idempotent-Replayed", "false");
        second.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(second.asString()).isEqualTo(first.asString());
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 750, 0);
        assertBalanced(user);
    }

    @Test
    void concurrentRetriesApplyOnceAndAllAnswerTheSameEntry() throws Exception {
        String user = openAccount("adjust");
        String key = "race-" + UUID.randomUUID();
        String body = adjustment(user, "purchased", 300, "raced");
        List<HttpResponse<String>> responses = ConcurrentCalls.post(8, AdminApi.ADJUSTMENTS, Tokens.admin(admin),
                n -> key, n -> body);

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
        assertThat(responses).filteredOn(r -> r.headers().firstValue("Idempotent-Replayed").orElse("").equals("false"))
                .hasSize(1);
        assertThat(responses.stream().map(HttpResponse::body).distinct()).hasSize(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'ADJUST'",
                user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 300, 0);
        assertBalanced(user);
    }

    @Test
    void theSameKeyWithAnotherBodyOrByAnotherAdminIsAConflictAndChangesNothing() {
        String user = openAccount("adjust");
        String key = "reused-" + UUID.randomUUID();
        adjust(admin, key, adjustment(user, "purchased", 100, "first")).then().statusCode(201);
        String before = LedgerProbe.snapshot(user);

        adjust(admin, key, adjustment(user, "purchased", 101, "first"))
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-reused"));
        adjust(admin, key, adjustment(user, "purchased", 100, "another reason")).then().statusCode(409);
        adjust(admin, key, adjustment(user, "monthly", 100, "first")).then().statusCode(409);
        adjust(newAdmin(), key, adjustment(user, "purchased", 100, "first")).then().statusCode(409);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void aKeyIsScopedToTheTargetAccountAndNeverCollidesWithTheUsersOwnKeys() {
        String user = openAccount("adjust");
        String other = openAccount("adjust");
        String key = "shared-" + UUID.randomUUID();
        charge(user, key, chargeBody("gpt-4o-mini", 1_000, 0)).then().statusCode(201);

        adjust(admin, key, adjustment(user, "purchased", 10, "same key as the user's charge")).then().statusCode(201)
                .header("Idempotent-Replayed", "false");
        adjust(admin, key, adjustment(other, "purchased", 10, "same key, other account")).then().statusCode(201)
                .header("Idempotent-Replayed", "false");
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 10, 0);
        assertThat(LedgerProbe.buckets(other)).containsExactly(100_000, 10, 0);
        assertBalanced(user);
        assertBalanced(other);
    }

    @Test
    void anAdjustmentThatWouldOverdrawIs409AndChangesNothing() {
        String user = openAccount("adjust");
        String before = LedgerProbe.snapshot(user);
        adjust(admin, "over-" + UUID.randomUUID(), adjustment(user, "monthly", -100_001, "too much"))
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/adjustment-would-overdraw"));
        adjust(admin, "over-" + UUID.randomUUID(), adjustment(user, "purchased", -1, "empty bucket"))
                .then().statusCode(409);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
    }

    @Test
    void anOverdrawOnAUserNeverSeenOpensNoAccount() {
        String user = "adjust-none-" + UUID.randomUUID();
        adjust(admin, "none-" + UUID.randomUUID(), adjustment(user, "purchased", -5, "nothing to take"))
                .then().statusCode(409);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo("no account audit=0 usage=0 holds=0");
    }

    @Test
    void anAdjustmentCannotTakeHeldCredits() {
        String user = openAccount("adjust");
        Response hold = as(user).contentType(ContentType.JSON)
                .header("Idempotency-Key", "hold-" + UUID.randomUUID())
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":10000}")
                .post("/api/credit/reservations");
        hold.then().statusCode(201).body("heldMillicredits", greaterThan(0));
        int held = hold.path("heldMillicredits");
        String before = LedgerProbe.snapshot(user);
        // The monthly bucket stays above zero, but available (monthly - reserved) would not.
        adjust(admin, "held-" + UUID.randomUUID(), adjustment(user, "monthly", -(100_000 - held + 1), "too much"))
                .then().statusCode(409);
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        adjust(admin, "held-" + UUID.randomUUID(), adjustment(user, "monthly", -(100_000 - held), "all that is free"))
                .then().statusCode(201).body("balance.availableMillicredits", equalTo(0));
        assertBalanced(user);
    }

    @Test
    void anAdminCannotAdjustTheirOwnAccount() {
        adjust(admin, "self-" + UUID.randomUUID(), adjustment(admin, "purchased", 1_000, "for me"))
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/self-adjustment-forbidden"));
        assertThat(LedgerProbe.snapshot(admin)).isEqualTo("no account audit=0 usage=0 holds=0");
    }

    @Test
    void theIdempotencyKeyIsRequiredAndBounded() {
        String user = openAccount("adjust");
        String before = LedgerProbe.snapshot(user);
        asAdmin(admin).contentType(ContentType.JSON).body(adjustment(user, "purchased", 5, "no key"))
                .post(AdminApi.ADJUSTMENTS)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-missing"));
        adjust(admin, "k".repeat(240), adjustment(user, "purchased", 5, "long key"))
                .then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-invalid"));
        adjust(admin, "with space", adjustment(user, "purchased", 5, "bad key"))
                .then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/idempotency-key-invalid"));
        assertThat(LedgerProbe.snapshot(user)).isEqualTo(before);
        adjust(admin, "k".repeat(239), adjustment(user, "purchased", 5, "longest key")).then().statusCode(201);
    }

    static Stream<Arguments> badBodies() {
        String ok = "\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":\"r\"";
        return Stream.of(
                Arguments.of("empty object", "{}"),
                Arguments.of("not an object", "[1]"),
                Arguments.of("malformed json", "{\"userId\":\"{user}\","),
                Arguments.of("null body", "null"),
                Arguments.of("missing reason", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100}"),
                Arguments.of("null reason", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":null}"),
                Arguments.of("blank reason", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":\"   \"}"),
                Arguments.of("reason too long", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":\"" + "r".repeat(501) + "\"}"),
                Arguments.of("reason with NUL", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":\"a\\u0000b\"}"),
                Arguments.of("reason with lone surrogate", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":\"a\\ud800b\"}"),
                Arguments.of("reason as number", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":100,\"reason\":7}"),
                Arguments.of("zero amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":0,\"reason\":\"r\"}"),
                Arguments.of("missing amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"reason\":\"r\"}"),
                Arguments.of("huge amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":1000000000001,\"reason\":\"r\"}"),
                Arguments.of("huge negative amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":-1000000000001,\"reason\":\"r\"}"),
                Arguments.of("amount beyond a long", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":99999999999999999999999,\"reason\":\"r\"}"),
                Arguments.of("fractional amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":1.5,\"reason\":\"r\"}"),
                Arguments.of("exponent amount", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":1e3,\"reason\":\"r\"}"),
                Arguments.of("amount as string", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":\"100\",\"reason\":\"r\"}"),
                Arguments.of("amount as boolean", "{\"userId\":\"{user}\",\"bucket\":\"purchased\",\"amountMillicredits\":true,\"reason\":\"r\"}"),
                Arguments.of("wrong bucket", "{\"userId\":\"{user}\",\"bucket\":\"reserved\",\"amountMillicredits\":100,\"reason\":\"r\"}"),
                Arguments.of("bucket in capitals", "{\"userId\":\"{user}\",\"bucket\":\"PURCHASED\",\"amountMillicredits\":100,\"reason\":\"r\"}"),
                Arguments.of("bucket as number", "{\"userId\":\"{user}\",\"bucket\":1,\"amountMillicredits\":100,\"reason\":\"r\"}"),
                Arguments.of("missing bucket", "{\"userId\":\"{user}\",\"amountMillicredits\":100,\"reason\":\"r\"}"),
                Arguments.of("missing user", "{" + ok + "}"),
                Arguments.of("user as number", "{\"userId\":42," + ok + "}"),
                Arguments.of("user with a leading space", "{\"userId\":\" {user}\"," + ok + "}"),
                Arguments.of("user not ascii", "{\"userId\":\"{user}\u00e9\"," + ok + "}"),
                Arguments.of("user too long", "{\"userId\":\"{user}" + "u".repeat(256) + "\"," + ok + "}"),
                Arguments.of("unknown field", "{\"userId\":\"{user}\"," + ok + ",\"actor\":\"admin:someone-else\"}"),
                Arguments.of("duplicate key", "{\"userId\":\"{user}\"," + ok + ",\"amountMillicredits\":5}"),
                Arguments.of("trailing garbage", "{\"userId\":\"{user}\"," + ok + "} x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aBadBodyIs400AndChangesNothing(String name, String body) {
        String user = openAccount("adjust-bad");
        assertRefused(user, 400, () -> adjust(admin, "bad-" + UUID.randomUUID(), body.replace("{user}", user)))
                .body("status", equalTo(400))
                .body("type", startsWith("https://tollgate.dev/problems/"));
    }

    @Test
    void violationsNameTheField() {
        String user = openAccount("adjust-bad");
        adjust(admin, "bad-" + UUID.randomUUID(),
                "{\"userId\":\"" + user + "\",\"bucket\":\"purchased\",\"amountMillicredits\":0,\"reason\":\"\"}")
                .then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/invalid-request"))
                .body("violations.field", hasItems("amountMillicredits", "reason"));
    }
}
