package dev.tollgate.ledger;

import static dev.tollgate.testing.LedgerProbe.assertBalanced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.jdbc.DuplicateRequestException;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.testing.LedgerFixture;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

/** The ledger's operations, each checked against the ledger sums afterwards. */
@QuarkusTest
class LedgerTest extends LedgerFixture {

    /** A ten-minute hold for a gpt-4o call, in a transaction of its own. */
    private Hold hold(String user, long millicredits, String key) {
        return tx(() -> ledger.hold(UUID.randomUUID(), user, Millicredits.of(millicredits), "gpt-4o",
                Instant.now().plusSeconds(600), CALL, keyed(user, key)));
    }

    private LedgerEntry release(String user, Hold hold) {
        return tx(() -> ledger.release(user, hold.holdId(), Mutation.system("test")));
    }

    @Test
    void chargesBurnTheMonthlyBucketFirstThenPurchased() {
        String user = newAccount();
        buy(user, 50_000);

        LedgerEntry first = charge(user, 80_000, "a");
        assertThat(first.monthlyDelta()).isEqualTo(-80_000);
        assertThat(first.purchasedDelta()).isZero();

        LedgerEntry second = charge(user, 30_000, "b");
        assertThat(second.monthlyDelta()).isEqualTo(-20_000);
        assertThat(second.purchasedDelta()).isEqualTo(-10_000);
        assertThat(second.after()).isEqualTo(new Balances(0, 40_000, 0));
        assertBalanced(user);
    }

    @Test
    void aChargeBeyondTheAvailableBalanceIsRefusedWithTheNumbers() {
        String user = newAccount();
        assertThatThrownBy(() -> charge(user, 100_001, "x"))
                .isInstanceOfSatisfying(InsufficientCreditsException.class, e -> {
                    assertThat(e.required().value()).isEqualTo(100_001);
                    assertThat(e.available().value()).isEqualTo(100_000);
                });
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
        assertBalanced(user);
    }

    @Test
    void aKeyIsAppliedOnceEvenForAnotherOperation() {
        String user = newAccount();
        charge(user, 10, "once");
        assertThatThrownBy(() -> charge(user, 10, "once"))
                .isInstanceOf(DuplicateRequestException.class);
        assertThatThrownBy(() -> tx(() -> ledger.adjust(user, Bucket.PURCHASED, Millicredits.of(10), keyed(user, "once"))))
                .isInstanceOf(DuplicateRequestException.class);
        assertThat(tx(() -> ledger.findByKey(user, "once"))).get().extracting(LedgerEntry::operation)
                .isEqualTo(Operation.CHARGE);
        assertBalanced(user);
    }

    @Test
    void holdsCountAgainstAvailableUntilReleased() {
        String user = newAccount();
        Hold hold = hold(user, 60_000, "hold-1");
        assertThat(hold.entry().after()).isEqualTo(new Balances(100_000, 0, 60_000));
        assertThatThrownBy(() -> charge(user, 40_001, "c"))
                .isInstanceOf(InsufficientCreditsException.class);
        assertThatThrownBy(() -> hold(user, 40_001, "hold-2"))
                .isInstanceOf(InsufficientCreditsException.class);

        LedgerEntry released = release(user, hold);
        assertThat(released.after()).isEqualTo(new Balances(100_000, 0, 0));
        assertThat(released.operation()).isEqualTo(Operation.RELEASE);
        assertBalanced(user);
    }

    @Test
    void settleChargesTheRealCostAndFreesTheRestOfTheHoldOnce() {
        String user = newAccount();
        Hold hold = hold(user, 5_000, "h");
        Settlement settlement = settle(user, hold, 1_234);
        assertThat(settlement.charged().value()).isEqualTo(1_234);
        assertThat(settlement.entry().after()).isEqualTo(new Balances(100_000 - 1_234, 0, 0));

        assertThatThrownBy(() -> settle(user, hold, 1)).isInstanceOf(LedgerRuleException.class)
                .extracting(e -> ((LedgerRuleException) e).problem().status()).isEqualTo(409);
        assertThatThrownBy(() -> release(user, hold))
                .isInstanceOf(LedgerRuleException.class);
        assertThat(LedgerProbe.count("SELECT settled_millicredits FROM credit_reservation WHERE user_id = ?", user))
                .isEqualTo(1_234);
        assertBalanced(user);
    }

    @Test
    void aSettleAboveTheHoldChargesTheDifferenceWhenAvailable() {
        String user = newAccount();
        Hold hold = hold(user, 1_000, "h");
        Settlement settlement = settle(user, hold, 3_000);
        assertThat(settlement.charged().value()).isEqualTo(3_000);
        assertThat(settlement.shortfall().value()).isZero();
        assertBalanced(user);
    }

    @Test
    void aSettleAboveWhatTheAccountHasChargesEverythingAvailableAndNeverOverdraws() {
        String user = newAccount();
        charge(user, 99_000, "drain");
        Hold hold = hold(user, 500, "h");
        Settlement settlement = settle(user, hold, 5_000);
        assertThat(settlement.charged().value()).isEqualTo(1_000);
        assertThat(settlement.shortfall().value()).isEqualTo(4_000);
        assertThat(LedgerProbe.buckets(user)).containsExactly(0, 0, 0);
        assertBalanced(user);
    }

    @Test
    void aHoldOfAnotherUserCannotBeSettledOrReleased() {
        String owner = newAccount();
        String other = newAccount();
        Hold hold = hold(owner, 100, "h");
        assertThatThrownBy(() -> settle(other, hold, 1)).isInstanceOf(LedgerRuleException.class)
                .extracting(e -> ((LedgerRuleException) e).problem().status()).isEqualTo(404);
        assertThatThrownBy(() -> release(other, hold))
                .isInstanceOf(LedgerRuleException.class);
        assertThat(LedgerProbe.buckets(owner)).containsExactly(100_000, 0, 100);
    }

    @Test
    void refundsGoBackWhereTheChargeTookThemAndNeverExceedIt() {
        String user = newAccount();
        buy(user, 10_000);
        charge(user, 95_000, "first");
        long usageId = 424242L;
        LedgerEntry charge = tx(() -> ledger.charge(user, Millicredits.of(8_000), keyed(user, "second").withUsage(usageId)));
        assertThat(charge.monthlyDelta()).isEqualTo(-5_000);
        assertThat(charge.purchasedDelta()).isEqualTo(-3_000);

        LedgerEntry refund = refund(user, usageId, 4_000);
        assertThat(refund.purchasedDelta()).isEqualTo(3_000);
        assertThat(refund.monthlyDelta()).isEqualTo(1_000);
        refund(user, usageId, 4_000);
        assertThatThrownBy(() -> refund(user, usageId, 1))
                .isInstanceOf(LedgerRuleException.class);
        assertThatThrownBy(() -> refund(user, 777L, 1))
                .isInstanceOf(LedgerRuleException.class);
        assertBalanced(user);
    }

    @Test
    void adjustmentsMoveOneBucketAndNeverOverdraw() {
        String user = newAccount();
        tx(() -> ledger.adjust(user, Bucket.PURCHASED, Millicredits.of(7_000), keyed(user, "adj-1")));
        tx(() -> ledger.adjust(user, Bucket.MONTHLY, Millicredits.of(-30_000), keyed(user, "adj-2")));
        assertThat(LedgerProbe.buckets(user)).containsExactly(70_000, 7_000, 0);
        assertThatThrownBy(() -> tx(() -> ledger.adjust(user, Bucket.PURCHASED, Millicredits.of(-7_001), keyed(user, "adj-3"))))
                .isInstanceOf(LedgerRuleException.class);
        hold(user, 70_000, "h");
        assertThatThrownBy(() -> tx(() -> ledger.adjust(user, Bucket.MONTHLY, Millicredits.of(-10_000), keyed(user, "adj-4"))))
                .isInstanceOf(LedgerRuleException.class);
        assertBalanced(user);
    }

    @Test
    void theLedgerIsAppendOnly() {
        String user = newAccount();
        assertThatThrownBy(() -> LedgerProbe.execute("UPDATE credit_audit_log SET monthly_delta = 0 WHERE user_id = ?", user))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> LedgerProbe.execute("DELETE FROM credit_audit_log WHERE user_id = ?", user))
                .hasMessageContaining("append-only");
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
    }

    @Test
    void theDatabaseRefusesANegativeBucketEvenIfCodeTriedIt() {
        String user = newAccount();
        assertThatThrownBy(() -> LedgerProbe.execute(
                "UPDATE credit_account SET monthly_millicredits = -1 WHERE user_id = ?", user))
                .hasMessageContaining("check constraint");
        assertThatThrownBy(() -> LedgerProbe.execute(
                "UPDATE credit_account SET reserved_millicredits = 100001 WHERE user_id = ?", user))
                .hasMessageContaining("credit_account_available_not_negative");
    }

    @Test
    void concurrentOpeningsGrantTheAllowanceOnce() throws Exception {
        String user = "ledger-open-" + UUID.randomUUID();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<CreditAccount>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> tx(() -> ledger.ensureAccount(user))));
            }
            for (var future : futures) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(LedgerProbe.auditRows(user)).isEqualTo(1);
        assertThat(LedgerProbe.buckets(user)).containsExactly(100_000, 0, 0);
    }
}
