package dev.tollgate.metering;

import static dev.tollgate.testing.Api.as;
import static dev.tollgate.testing.Api.chatBody;
import static dev.tollgate.testing.Api.openAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tollgate.platform.idempotency.IdempotentRequest;
import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The fault run's finding: when the connection is lost in the commit of a hold's transaction, the
 * commit may have happened although it was reported failed, and {@link Transactions} retries the
 * work. That retry met the call's own key, so the chat call answered 409 to a key it had never seen
 * before (or 402, the balance being taken by its own hold), and the hold waited for the expiry
 * job. A retry now finds the hold its earlier attempt placed, by the reservation id chosen before
 * the first attempt, and the call goes on with it.
 *
 * <p>The cut commit is played by a {@link Transactions} that, once armed, runs the first unit of
 * work of {@link MeteredCalls} to its commit and then runs it again, as the retry after a lost
 * connection does.
 */
@QuarkusTest
class CutHoldCommitTest {

    static final RequestOrigin ORIGIN = new RequestOrigin("203.0.113.7", "cut-commit-test");

    @Inject
    MeteredCalls meteredCalls;

    final AtomicBoolean cutNextCommit = new AtomicBoolean();

    @BeforeEach
    void installTransactionsThatCutACommit() {
        QuarkusMock.installMockForType(new Transactions() {
            @Override
            public <T> T inNewTransaction(Callable<T> work) {
                if (work.getClass().getName().startsWith(MeteredCalls.class.getName()) && cutNextCommit.getAndSet(false)) {
                    super.inNewTransaction(work); // committed; its caller is told it failed
                }
                return super.inNewTransaction(work);
            }
        }, Transactions.class);
    }

    @Test
    void theRetryOfAHoldWhoseCommitWasCutGoesOnWithThatHold() {
        String user = openAccount("cut-hold");
        cutNextCommit.set(true);

        MeteredCalls.Held held = meteredCalls.hold(user, new IdempotentRequest("cut-hold-1", "hash-1"), "gpt-4o-mini",
                100, 50, ORIGIN);

        assertThat(cutNextCommit).isFalse();
        assertThat(held.maxOutputTokens()).isEqualTo(50);
        assertThat(holds(user)).isEqualTo(1);
        assertThat(holds(user, held)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, held.amount().value());
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(LedgerProbe.buckets(user));
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2); // the opening grant and the one hold
    }

    /** The first attempt held all the balance covers: its retry must not read that as too little credit. */
    @Test
    void theRetryOfAnAffordableHoldThatTookTheWholeBalanceIsNotRefused() {
        String user = openAccount("cut-hold-all");
        cutNextCommit.set(true);

        MeteredCalls.Held held = meteredCalls.holdAffordable(user, new IdempotentRequest("cut-hold-all-1", "hash-1"),
                "gpt-4o-mini", 100, 10_000_000, null, null, ORIGIN);

        assertThat(cutNextCommit).isFalse();
        assertThat(held.amount().value()).isGreaterThan(99_000).isLessThanOrEqualTo(100_000);
        assertThat(held.maxOutputTokens()).isPositive().isLessThan(10_000_000);
        assertThat(holds(user)).isEqualTo(1);
        assertThat(holds(user, held)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, held.amount().value());
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2);
    }

    @Test
    void anotherRequestUnderTheKeyOfAHoldIsStillADuplicate() {
        String user = openAccount("cut-hold-other");
        IdempotentRequest request = new IdempotentRequest("cut-hold-other-1", "hash-1");
        meteredCalls.hold(user, request, "gpt-4o-mini", 100, 50, ORIGIN);

        assertThatThrownBy(() -> meteredCalls.holdAffordable(user, request, "gpt-4o-mini", 100, 50, null, null, ORIGIN))
                .isInstanceOf(DuplicateRequestException.class);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(2);
    }

    @Test
    void aChatCallWhoseHoldCommitWasCutIsAnsweredAndChargedOnce() {
        String user = openAccount("cut-hold-chat");
        cutNextCommit.set(true);

        as(user).contentType(ContentType.JSON).header("Idempotency-Key", "cut-hold-chat-1")
                .body(chatBody("gpt-4o-mini", "Hello there", 20, false))
                .post("/v1/chat/completions").then().statusCode(200);

        assertThat(cutNextCommit).isFalse();
        assertThat(LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'SETTLED'",
                user)).isEqualTo(1);
        assertThat(LedgerProbe.usageRows(user)).isEqualTo(1);
        long[] buckets = LedgerProbe.buckets(user);
        assertThat(buckets[0]).isLessThan(100_000);
        assertThat(buckets[2]).isZero();
        assertThat(LedgerProbe.ledgerSums(user)).containsExactly(buckets);
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(3); // the opening grant, the hold, its settle
    }

    private static long holds(String user) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ?", user);
    }

    private static long holds(String user, MeteredCalls.Held held) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_reservation WHERE user_id = ? AND status = 'HELD' AND id = '"
                + held.holdId() + "'", user);
    }
}
