package dev.tollgate.metering;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.openAccount;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.compensation.CompensationQueue;
import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.LedgerProbe;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.testing.Tokens;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A settle after the answer while the database stays unreachable for longer than the settle waits:
 * the charge is handed to the compensation queue, which writes it once the database is back. So is
 * the release of a call that failed at the provider without output.
 */
@QuarkusTest
class SettleHandOffTest {

    @Inject
    MeteredCalls meteredCalls;

    @Inject
    CompensationQueue compensations;

    @Inject
    HoldExpiry holdExpiry;

    @AfterEach
    void restore() {
        LedgerProbe.acceptCompensations();
        LedgerProbe.acceptReleases();
        LedgerProbe.removeUsageFailure();
        ClientProxy.unwrap(meteredCalls).settlePatience = MeteredCalls.SETTLE_PATIENCE;
    }

    @Test
    void aChargeOutlastingTheSettlesPatienceIsQueuedOnceTheDatabaseIsBack() throws Exception {
        // The fault run's case: the database is away for longer than the settle's patience (here 1 s,
        // 20 s in the app). Given up, the hold would be freed by the expiry job and the answered call
        // never charged.
        String user = openAccount("handoff");
        int waitingBefore = compensations.waitingForDatabase();
        answeredWhileTheCompensationCannotBeWritten(user);
        assertThat(compensations.waitingForDatabase()).isEqualTo(waitingBefore + 1);

        // The database is back: the charge is queued as a compensation of the whole cost, once.
        databaseBack(user);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'PENDING' "
                + "AND kind = 'CHARGE' AND amount_millicredits = 15", user)).isEqualTo(1);
        assertThat(compensations.waitingForDatabase()).isEqualTo(waitingBefore);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);

        runJob("process-compensations");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM token_usage WHERE user_id = ? AND cost_millicredits = 15", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void theExpiryJobLeavesAHoldAloneWhileItsChargeWaitsForTheDatabase() throws Exception {
        // As the fault run's outage ends: the expiry job runs before the waiting charge is queued. The
        // call was answered, so its charge is known: the hold waits for it, and the call is charged its
        // cost (not the whole hold, as a call the app stopped in is), once.
        String user = openAccount("handoff-expired");
        answeredWhileTheCompensationCannotBeWritten(user);
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE user_id = ?", user);
        runJob("expire-holds");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);

        databaseBack(user);
        runJob("expire-holds"); // its pending compensation keeps it from the job
        runJob("process-compensations");

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ? AND status = 'APPLIED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.count("""
                SELECT COUNT(*) FROM credit_audit_log l JOIN token_usage u ON u.id = l.usage_id AND u.user_id = l.user_id
                 WHERE l.user_id = ? AND l.operation = 'SETTLE' AND u.cost_millicredits = 15""", user)).isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation IN ('CHARGE', 'SETTLE')",
                user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000 - 15, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    @Test
    void anUnusedHoldWhoseReleaseWaitsForTheDatabaseIsFreedOnceItIsBackNotCharged() throws Exception {
        // The provider failed before any output while the database was unreachable: the release waits
        // in memory, the expiry job leaves the hold alone, and nothing is charged.
        String user = openAccount("handoff-release");
        LedgerProbe.refuseReleasesAsStartingUp();
        String key = "handoff-release-" + UUID.randomUUID();
        as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Api.chatBody("gpt-4o", "[[fake:fail=503]]", 100, false))
                .post("/v1/chat/completions").then().statusCode(502);
        assertThat(compensations.waitingHoldIds()).contains(reservationOf(user));
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '1 minute' WHERE user_id = ?", user);
        runJob("expire-holds");
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);

        // The waiting hold, first in expiry order, does not stand in the way of the holds behind it,
        // even in batches of one.
        String behind = openAccount("handoff-behind");
        meteredCalls.holdAffordable(behind, new IdempotentRequest("handoff-behind-1", "hash-1"), "gpt-4o-mini", 100, 50,
                null, null, new RequestOrigin("203.0.113.9", "handoff-test"));
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '10 years' WHERE user_id = ?", user);
        LedgerProbe.execute("UPDATE credit_reservation SET expires_at = now() - interval '9 years' WHERE user_id = ?", behind);
        holdExpiry.expire(1, 2);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'", behind))
                .isEqualTo(1);
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);

        LedgerProbe.acceptReleases();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'RELEASED'", user) == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }

        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'RELEASED'", user))
                .isEqualTo(1);
        assertThat(LedgerProbe.usageRows(user)).isZero();
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
    }

    private static UUID reservationOf(String user) {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM credit_reservation WHERE user_id = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A chat call (15 millicredits) whose settle fails (injected) while the compensation's insert
     * fails as a database that is starting up does (57P03), until {@link #databaseBack}: the call is
     * answered once the settle's patience (shortened to 1 s) is spent, its hold still held and no
     * compensation written.
     */
    private void answeredWhileTheCompensationCannotBeWritten(String user) throws Exception {
        ClientProxy.unwrap(meteredCalls).settlePatience = Duration.ofSeconds(1);
        String key = LedgerProbe.FAILING_REQUEST_PREFIX + UUID.randomUUID();
        LedgerProbe.injectUsageFailure();
        LedgerProbe.refuseCompensationsAsStartingUp();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                        .body(Api.chatBody("gpt-4o", "[[fake:words=10]][[fake:prompt-tokens=20]]", 100, false))
                        .post("/v1/chat/completions"));
        answer.get(30, TimeUnit.SECONDS).then().statusCode(200).body("choices[0].message.content", notNullValue());
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ?", user)).isZero();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD'", user))
                .isEqualTo(1);
    }

    /**
     * The compensation can be written again (and the usage row, which the batch writes): waits (at
     * most 30 s) until the waiting charge is queued.
     */
    private static void databaseBack(String user) throws InterruptedException {
        LedgerProbe.acceptCompensations();
        LedgerProbe.removeUsageFailure();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ?", user) == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_compensation WHERE user_id = ?", user)).isEqualTo(1);
    }

    private static void runJob(String name) {
        given().auth().oauth2(Tokens.admin("operator")).post("/api/admin/jobs/" + name).then().statusCode(200);
    }
}
