package dev.tollgate.metering;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chatBody;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.pricing.Usage;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The expiry of a chat call's hold. The call resolves its hold before the hold's time, so a hold
 * still unresolved at its expiry is a call the app stopped in (killed between the provider's final
 * chunk and the settle, say): the provider may have run it and billed it, so the expiry charges the
 * whole hold instead of freeing it, under the hold's settle key. A settle or compensation of the
 * same call that comes later charges nothing more. (A reservation's hold, another backend's call, is
 * freed: {@code JobsTest}.)
 */
@QuarkusTest
class HoldExpiryTest {

    static final RequestOrigin ORIGIN = new RequestOrigin("203.0.113.8", "hold-expiry-test");

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    CompensationQueue compensations;

    @Test
    void aChatCallsHoldLeftUnresolvedIsChargedWholeAtItsExpiryWithAnEstimatedUsageRow() {
        String user = openAccount("expiry-unknown");
        MeteredCalls.Held held = chatHoldOfACallTheAppStoppedIn(user, "expiry-unknown-1");
        long amount = held.amount().value();

        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/expire-holds").then().statusCode(200)
                .body("processed", equalTo(1)).body("detail", equalTo("freed 0, charged whole (outcome unknown) 1"));

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED' "
                + "AND settled_millicredits = amount_millicredits", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("""
                SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND request_id = 'expiry-unknown-1' AND estimated
                   AND input_tokens = 120 AND output_tokens = %d AND reasoning_tokens = 0
                   AND character_id = 'luna' AND conversation_id = 'conv-7' AND cost_millicredits = %d
                   AND shortfall_millicredits = 0 AND reservation_id = '%s'""".formatted(held.maxOutputTokens(), amount,
                held.holdId()), user)).isEqualTo(1);
        assertThat(LedgerProbe.count("""
                SELECT COUNT(*) FROM credit_audit_log l JOIN token_usage u ON u.id = l.usage_id AND u.user_id = l.user_id
                 WHERE l.user_id = ? AND l.operation = 'SETTLE' AND l.actor = 'job:expire-holds'
                   AND l.idempotency_key = '%s' AND l.reservation_id = '%s' AND -l.monthly_delta = %d
                   AND l.metadata ->> 'reason' LIKE 'outcome unknown:%%'""".formatted(Ledger.settleKey(held.holdId()),
                held.holdId(), amount), user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'EXPIRE'", user))
                .isZero();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - amount, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void aSettleThatComesAfterTheExpiryChargedTheHoldChargesNothingMore() {
        String user = openAccount("expiry-late-settle");
        ChargedAtExpiry expired = chargedAtExpiry(user, "expiry-late-settle-1");

        MeteredCalls.Charged late = meteredCalls.settleAfterAnswer(expired.held(),
                new MeteredCalls.Outcome(new Usage(100, 0, 0, 10, 0), false, "luna", "conv-7"), ORIGIN);

        assertThat(late.deferred()).isFalse();
        assertThat(late.entry()).isNull();
        assertChargedOnlyByTheExpiry(user, expired.buckets());
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ?", user)).isZero();
    }

    @Test
    void aCompensationThatComesAfterTheExpiryChargedTheHoldChargesNothingMore() {
        // The charge of a call whose settle waited for the database in another process's memory,
        // queued after the expiry job (of this process, a one-shot job) charged the hold.
        String user = openAccount("expiry-late-compensation");
        ChargedAtExpiry expired = chargedAtExpiry(user, "expiry-late-compensation-1");
        UUID holdId = expired.held().holdId();

        compensations.deferCharge(user, Ledger.settleKey(holdId), Millicredits.of(15), holdId,
                "settle failed after the answer was delivered", null);
        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/process-compensations").then().statusCode(200);

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user))
                .isEqualTo(1);
        assertChargedOnlyByTheExpiry(user, expired.buckets());
    }

    /** A chat call's hold that the expiry job charged whole, and the buckets that charge left. */
    private record ChargedAtExpiry(MeteredCalls.Held held, long[] buckets) {
    }

    private ChargedAtExpiry chargedAtExpiry(String user, String key) {
        MeteredCalls.Held held = chatHoldOfACallTheAppStoppedIn(user, key);
        expireHolds();
        return new ChargedAtExpiry(held, LedgerProbe.buckets(user));
    }

    /** The buckets are as the expiry's charge left them: one charge, one usage row, the ledger's sums. */
    private static void assertChargedOnlyByTheExpiry(String user, long[] afterTheExpiry) {
        assertThat(LedgerProbe.buckets(user)).containsExactly(afterTheExpiry);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation IN ('SETTLE', 'CHARGE')",
                user)).isEqualTo(1);
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void theRetryOfACallTheAppStoppedInMeetsItsKeyEvenWhenItsHoldTookTheWholeBalance() {
        // The fault run's finding: the client's retry, after the app was killed in the call, was
        // answered 402 (nothing covered while the first hold stands) although the key had been used
        // and the call would be charged at its hold's expiry.
        String user = openAccount("expiry-retry");
        meteredCalls.holdAffordable(user, new IdempotentRequest("expiry-retry-1", "hash-1"), "gpt-4o-mini", 100,
                10_000_000, null, null, ORIGIN);
        assertThat(LedgerProbe.buckets(user)[2]).isGreaterThan(99_000);

        as(user).contentType(ContentType.JSON).header("Idempotency-Key", "expiry-retry-1")
                .body(chatBody("gpt-4o-mini", "Hello", 100, false)).post("/v1/chat/completions")
                .then().statusCode(409).body("type", endsWith("/idempotency-key-reused"));
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2); // the GRANT and the first attempt's HOLD
    }

    @Test
    void aLiveChatHoldIsLeftAlone() {
        String user = openAccount("expiry-live");
        meteredCalls.holdAffordable(user, new IdempotentRequest("expiry-live-1", "hash-" + UUID.randomUUID()),
                "gpt-4o-mini", 120, 200, null, null, ORIGIN);
        long[] held = LedgerProbe.buckets(user);

        expireHolds();

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(held);
        given().auth().oauth2(Tokens.admin("operator")).get("/api/admin/accounts/" + user).then().statusCode(200)
                .body("liveHolds[0].pastExpiry", equalTo(false)).body("liveHolds[0].chargedAtExpiry", equalTo(true));
    }

    /** A chat call's hold (a prompt of 120 tokens, 200 of output) whose time ran out, unresolved. */
    private MeteredCalls.Held chatHoldOfACallTheAppStoppedIn(String user, String key) {
        MeteredCalls.Held held = meteredCalls.holdAffordable(user, new IdempotentRequest(key, "hash-" + key), "gpt-4o-mini",
                120, 200, "luna", "conv-7", ORIGIN);
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE id = ?",
                held.holdId());
        return held;
    }

    private static void expireHolds() {
        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/expire-holds").then().statusCode(200);
    }
}
