package dev.tollgate.jobs;

import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.ConcurrentCalls;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Hold expiry and the compensation batch, run through the admin API as an operator would. */
@QuarkusTest
class JobsTest {

    static Response runJob(String name) {
        return given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/" + name);
    }

    static String reserve(String user, String key) {
        return given().auth().oauth2(Tokens.user(user)).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"maxOutputTokens\":100}")
                .post("/api/credit/reservations").then().statusCode(201).extract().path("reservationId");
    }

    @Test
    void expiredHoldsAreFreedAndAuditedAndLiveOnesStay() {
        String user = openAccount("expiry");
        String stale = reserve(user, "stale");
        String live = reserve(user, "live");
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid", stale);

        runJob("expire-holds").then().statusCode(200).body("job", equalTo("expire-holds")).body("status", equalTo("done"));

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'EXPIRED'", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'EXPIRE' AND actor = 'job:expire-holds'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        given().auth().oauth2(Tokens.user(user)).contentType(ContentType.JSON)
                .body("{\"usage\":{\"uncachedInputTokens\":1,\"outputTokens\":1}}")
                .post("/api/credit/reservations/" + stale + "/settle").then().statusCode(409);
        assertThat(live).isNotEqualTo(stale);
    }

    @Test
    void aDeferredChargeSettlesItsHoldOnceEvenWhenTwoBatchesRunAtOnce() throws Exception {
        String user = openAccount("compensation");
        deferredChatCharge(user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'PENDING'", user)).isEqualTo(1);

        List<HttpResponse<String>> runs = ConcurrentCalls.post(2, "/api/admin/credit/process-compensations",
                Tokens.admin("operator"), n -> "run-" + n, n -> "");
        assertThat(runs).extracting(HttpResponse::statusCode).containsOnly(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND cost_millicredits = 15", user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));

        runJob("process-compensations").then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'SETTLE'", user)).isEqualTo(1);
    }

    @Test
    void aDeferredChargeWhoseSettleHadCommittedAfterAllChargesNothingMore() {
        // A settle whose commit is cut (the connection dies during COMMIT) is reported as failed
        // although it committed; the chat call then queues a compensation for it. Applying that
        // compensation as a plain charge would charge the call twice.
        String user = openAccount("compensation-settled");
        String reservation = reserve(user, "settled-after-all");
        given().auth().oauth2(Tokens.user(user)).contentType(ContentType.JSON)
                .body("{\"usage\":{\"uncachedInputTokens\":1000,\"outputTokens\":100}}")
                .post("/api/credit/reservations/" + reservation + "/settle").then().statusCode(200);
        long[] settled = LedgerProbe.buckets(user);
        LedgerProbe.execute("""
                INSERT INTO credit_compensation (user_id, kind, amount_millicredits, status, attempts, next_attempt_at,
                       idempotency_key, reservation_id, reason, created_at, updated_at)
                VALUES (?, 'CHARGE', 350, 'PENDING', 0, now(), 'tollgate:settle:' || ?, ?::uuid, 'settle failed after the answer was delivered',
                        now(), now())""", user, reservation, reservation);

        runJob("process-compensations").then().statusCode(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(settled);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation IN ('CHARGE', 'SETTLE')", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aDeferredChargeWhoseHoldExpiredChargesTheCallWithItsUsageRow() {
        // The database stayed away longer than the settle waited: the charge waited in memory, and
        // the expiry job freed the hold before the charge could be queued. The charge then stands
        // alone, and the call must still be in the user's usage, as a settle would have recorded it.
        String user = openAccount("compensation-expired");
        String reservation = reserve(user, "expired-before-queued");
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid", reservation);
        runJob("expire-holds").then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'EXPIRED'", user))
                .isEqualTo(1);
        LedgerProbe.execute("""
                INSERT INTO credit_compensation (user_id, kind, amount_millicredits, status, attempts, next_attempt_at,
                       idempotency_key, reservation_id, reason, details, created_at, updated_at)
                VALUES (?, 'CHARGE', 15, 'PENDING', 0, now(), 'tollgate:settle:' || ?, ?::uuid, 'settle failed after the answer was delivered',
                        '{"requestId":"call-expired","estimated":false,"usage":{"uncachedInput":20,"output":10}}', now(), now())""",
                user, reservation, reservation);

        runJob("process-compensations").then().statusCode(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.count("""
                SELECT COUNT(*) FROM credit_audit_log l JOIN token_usage u ON u.id = l.usage_id AND u.user_id = l.user_id
                 WHERE l.user_id = ? AND l.operation = 'CHARGE' AND u.request_id = 'call-expired' AND u.cost_millicredits = 15
                   AND u.output_tokens = 10 AND u.reservation_id IS NOT NULL""", user)).isEqualTo(1);
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    /** A chat call whose settle fails after the answer: a pending compensation; answers its id. */
    private static long deferredChatCharge(String user) {
        String key = LedgerProbe.FAILING_REQUEST_PREFIX + UUID.randomUUID();
        LedgerProbe.injectUsageFailure();
        try {
            given().auth().oauth2(Tokens.user(user)).contentType(ContentType.JSON).header("Idempotency-Key", key)
                    .body(Api.chatBody("gpt-4o", "[[fake:words=10]][[fake:prompt-tokens=20]]", 100, false))
                    .post("/v1/chat/completions").then().statusCode(200);
        } finally {
            LedgerProbe.removeUsageFailure();
        }
        return LedgerProbe.count("SELECT id FROM credit_compensation WHERE user_id = ? AND status = 'PENDING'", user);
    }

    @Test
    void aClientCannotTakeTheKeyACompensationWillBeAppliedUnder() {
        String user = openAccount("compensation-key");
        long compensation = deferredChatCharge(user);
        // The key a compensation used to be applied under is an ordinary client key now; Tollgate's own
        // keys are in a namespace no client may write.
        Api.charge(user, "compensation:" + compensation, Api.chargeBody("gpt-4o", 0, 1)).then().statusCode(201);
        Api.charge(user, "tollgate:compensation:" + compensation, Api.chargeBody("gpt-4o", 0, 1)).then().statusCode(400)
                .body("type", org.hamcrest.Matchers.equalTo("https://tollgate.dev/problems/idempotency-key-reserved"));

        runJob("process-compensations").then().statusCode(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user))
                .isEqualTo(1);
        // The call (15) and the client's own charge (1) are both charged.
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15 - 1, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void anEntryUnderACompensationsKeyThatIsNotItsApplicationIsNotTakenForIt() {
        // Whatever wrote it (a legacy row, a bug), an entry under the compensation's key that is not the
        // compensation applied — its operation on its hold — must not mark it applied without a charge.
        String user = openAccount("compensation-key");
        long compensation = deferredChatCharge(user);
        LedgerProbe.execute("""
                INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
                       monthly_after, purchased_after, reserved_after, idempotency_key, request_hash, actor, created_at)
                SELECT user_id, 'CHARGE', 0, 0, 0, monthly_millicredits, purchased_millicredits, reserved_millicredits,
                       'tollgate:compensation:' || ?, 'planted', 'user:' || user_id, now()
                  FROM credit_account WHERE user_id = ?""", String.valueOf(compensation), user);

        for (int run = 0; run < 3; run++) {
            runJob("process-compensations").then().statusCode(200);
        }

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'FAILED' "
                + "AND attempts = 3", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user))
                .isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aCompensationThatKeepsFailingIsRetriedThenMarkedFailedWithItsError() {
        String user = openAccount("compensation-fails");
        LedgerProbe.execute("""
                INSERT INTO credit_compensation (user_id, kind, amount_millicredits, status, attempts, next_attempt_at,
                       idempotency_key, usage_id, reason, created_at, updated_at)
                VALUES (?, 'REFUND', 100, 'PENDING', 0, now(), 'refund-of-nothing', 987654321, 'test', now(), now())""", user);
        for (int run = 0; run < 3; run++) {
            runJob("process-compensations").then().statusCode(200);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'FAILED' "
                + "AND attempts = 3 AND last_error LIKE '%usage-not-found%'", user)).isEqualTo(1);
        runJob("process-compensations").then().statusCode(200);
        assertThat(LedgerProbe.count("SELECT attempts FROM credit_compensation WHERE user_id = ?", user)).isEqualTo(3);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }

    @Test
    void jobsAreForAdminsOnly() {
        String before = LedgerProbe.snapshot("operator");
        given().post("/api/admin/jobs/expire-holds").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user("someone")).post("/api/admin/jobs/expire-holds")
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user("someone")).post("/api/admin/credit/process-compensations").then().statusCode(403);
        given().auth().oauth2(Tokens.expired("operator")).post("/api/admin/jobs/expire-holds").then().statusCode(401);
        runJob("no-such-job").then().statusCode(404).body("type", equalTo("https://tollgate.dev/problems/unknown-job"));
        assertThat(LedgerProbe.snapshot("operator")).isEqualTo(before);
    }
}
