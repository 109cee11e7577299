package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.testing.LedgerFixture;
import dev.tollgate.testing.LedgerProbe;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The granted bucket through the ledger: the burn order across buckets and lots, holds, settles and
 * refunds over lots, and expiry (with live holds, lazily and by the job's call). Every test ends
 * with the ledger, the buckets and the lots agreeing.
 */
@QuarkusTest
class GrantLotsTest extends LedgerFixture {

    private GrantedLot grant(String user, long amount, Duration lifetime, int priority) {
        return tx(() -> ledger.grantLot(user, new GrantTerms(Millicredits.of(amount), clock.instant().plus(lifetime),
                priority, "admin:test", "test grant"), Mutation.system("test")));
    }

    /** A lot of 50,000 that expires in an hour, after the account's 100,000 monthly credits are spent. */
    private GrantedLot onlyAnHourLot(String user) {
        GrantedLot lot = grant(user, 50_000, Duration.ofHours(1), 100);
        charge(user, 100_000);
        return lot;
    }

    private Hold hold(String user, long amount, Instant expiresAt) {
        return tx(() -> ledger.hold(UUID.randomUUID(), user, Millicredits.of(amount), "gpt-4o", expiresAt, CALL,
                keyed(user)));
    }

    /** A hold of {@code amount} placed before the lot expires and lasting past it; then the clock is 5 seconds past the expiry. */
    private Hold holdAcrossTheExpiry(String user, GrantedLot lot, long amount) {
        Hold hold = hold(user, amount, lot.expiresAt().plusSeconds(600));
        clock.set(lot.expiresAt().plusSeconds(5));
        return hold;
    }

    /** A charge of a call of its own (a usage id a refund can name). */
    private LedgerEntry charge(String user, long amount) {
        return tx(() -> ledger.charge(user, Millicredits.of(amount), keyed(user).withUsage(newUsageId())));
    }

    private static long newUsageId() {
        return Math.floorMod(UUID.randomUUID().getMostSignificantBits(), 1_000_000_000_000L) + 1;
    }

    private static long remaining(GrantedLot lot) {
        return LedgerProbe.count("SELECT remaining FROM credit_grant_lot WHERE id = CAST(? AS uuid)", lot.lotId().toString());
    }

    static void assertAddsUp(String user) {
        LedgerProbe.assertBalanced(user);
        assertThat(LedgerProbe.lotViolations(user)).isZero();
        assertThat(expiredCreditsSpent(user)).isZero();
    }

    /** Nothing is left of the lot nor in the granted bucket, after {@code expiries} expiry entries; it all adds up. */
    private static void assertLotGone(String user, GrantedLot lot, long expiries) {
        assertThat(remaining(lot)).isZero();
        assertThat(LedgerProbe.granted(user)).isZero();
        assertThat(expiryEntries(user)).isEqualTo(expiries);
        assertAddsUp(user);
    }

    static long expiryEntries(String user) {
        return LedgerProbe.count("SELECT COUNT(*) FROM credit_audit_log WHERE user_id = ? AND operation = 'GRANT_EXPIRY'", user);
    }

    /**
     * Credits a lot gave after its expiry to anything but its expiry entry or the settle of a hold
     * placed before it (a hold keeps the cover it was placed with): must be 0.
     */
    static long expiredCreditsSpent(String user) {
        return LedgerProbe.count("""
                SELECT COUNT(*) FROM credit_grant_movement mv
                  JOIN credit_audit_log e ON e.id = mv.entry_id
                  JOIN credit_grant_lot l ON l.id = mv.lot_id
                  LEFT JOIN credit_reservation h ON h.id = e.reservation_id
                 WHERE l.user_id = ? AND mv.delta < 0 AND e.created_at >= l.expires_at
                   AND e.operation <> 'GRANT_EXPIRY'
                   AND NOT (e.operation = 'SETTLE' AND h.created_at < l.expires_at)""", user);
    }

    @Test
    void spendingBurnsMonthlyThenLotsByPriorityAndExpiryThenPurchased() {
        String user = newAccount();
        buy(user, 50_000);
        GrantedLot late = grant(user, 30_000, Duration.ofDays(20), 100);
        GrantedLot soon = grant(user, 20_000, Duration.ofDays(2), 100);
        GrantedLot first = grant(user, 10_000, Duration.ofDays(30), 5);

        LedgerEntry monthly = charge(user, 90_000);
        assertThat(monthly.monthlyDelta()).isEqualTo(-90_000);
        assertThat(monthly.grantedDelta()).isZero();

        LedgerEntry across = charge(user, 35_000);
        assertThat(across.monthlyDelta()).isEqualTo(-10_000);
        assertThat(across.grantedDelta()).isEqualTo(-25_000);
        assertThat(across.purchasedDelta()).isZero();
        assertThat(remaining(first)).isZero();
        assertThat(remaining(soon)).isEqualTo(5_000);
        assertThat(remaining(late)).isEqualTo(30_000);

        LedgerEntry intoPurchased = charge(user, 40_000);
        assertThat(intoPurchased.grantedDelta()).isEqualTo(-35_000);
        assertThat(intoPurchased.purchasedDelta()).isEqualTo(-5_000);
        assertThat(intoPurchased.after()).isEqualTo(new Balances(0, 0, 45_000, 0));
        assertAddsUp(user);
    }

    @Test
    void aSettleSpendsLotsAndARefundGivesBackToThemPurchasedFirst() {
        String user = newAccount();
        buy(user, 10_000);
        GrantedLot lot = grant(user, 50_000, Duration.ofDays(10), 100);
        charge(user, 100_000);

        Hold hold = hold(user, 60_000, clock.instant().plusSeconds(600));
        assertThat(hold.entry().after()).isEqualTo(new Balances(0, 50_000, 10_000, 60_000));
        long usage = newUsageId();
        Settlement settled = tx(() -> ledger.settle(user, hold.holdId(), Millicredits.of(55_000),
                Mutation.system("test").withUsage(usage)));
        assertThat(settled.entry().grantedDelta()).isEqualTo(-50_000);
        assertThat(settled.entry().purchasedDelta()).isEqualTo(-5_000);
        assertThat(remaining(lot)).isZero();

        LedgerEntry refund = refund(user, usage, 20_000);
        assertThat(refund.purchasedDelta()).isEqualTo(5_000);
        assertThat(refund.grantedDelta()).isEqualTo(15_000);
        assertThat(remaining(lot)).isEqualTo(15_000);
        assertAddsUp(user);
    }

    @Test
    void aRefundsShareOfAnExpiredLotIsForfeited() {
        String user = newAccount();
        GrantedLot lot = grant(user, 50_000, Duration.ofHours(1), 100);
        LedgerEntry charged = charge(user, 130_000);
        assertThat(charged.grantedDelta()).isEqualTo(-30_000);
        long usage = charged.usageId();

        clock.set(lot.expiresAt().plusSeconds(1));
        LedgerEntry refund = refund(user, usage, 40_000);
        assertThat(refund.grantedDelta()).isZero();
        assertThat(refund.monthlyDelta()).isEqualTo(10_000);
        assertThat(LedgerProbe.text("SELECT metadata ->> 'forfeitedMillicredits' FROM credit_audit_log WHERE id = CAST(? AS bigint)",
                String.valueOf(refund.id()))).isEqualTo("30000");
        // The expired lot's remainder went with the refund's own lazy expiry, and nothing came back to it.
        // The forfeited share counts as refunded: the call has 90,000 left to refund, not 120,000.
        assertLotGone(user, lot, 1);
    }

    @Test
    void aDueLotIsNeverSpentAChargeExpiresItFirst() {
        String user = newAccount();
        buy(user, 20_000);
        GrantedLot lot = onlyAnHourLot(user);

        clock.set(lot.expiresAt());
        LedgerEntry charged = charge(user, 15_000);
        assertThat(charged.grantedDelta()).isZero();
        assertThat(charged.purchasedDelta()).isEqualTo(-15_000);
        assertThat(LedgerProbe.text("SELECT metadata ->> 'lotId' FROM credit_audit_log WHERE user_id = ? AND operation = 'GRANT_EXPIRY'",
                user)).isEqualTo(lot.lotId().toString());
        assertThat(LedgerProbe.granted(user)).isZero();
        assertThat(LedgerProbe.text("SELECT expired_at IS NOT NULL FROM credit_grant_lot WHERE id = CAST(? AS uuid)",
                lot.lotId().toString())).isEqualTo("t");
        assertAddsUp(user);
    }

    @Test
    void anExpiryKeepsWhatALiveHoldNeedsAndRemovesTheRestOnceTheHoldIsSettled() {
        String user = newAccount();
        GrantedLot lot = onlyAnHourLot(user);
        Hold hold = holdAcrossTheExpiry(user, lot, 30_000);

        List<LedgerEntry> expired = tx(() -> ledger.expireDueGrants(user));
        assertThat(expired).singleElement().satisfies(e -> assertThat(e.grantedDelta()).isEqualTo(-20_000));
        assertThat(remaining(lot)).isEqualTo(30_000);
        // Nothing is available while the rest backs the hold: no new spending can take it.
        assertThatThrownBy(() -> charge(user, 1))
                .isInstanceOf(InsufficientCreditsException.class);
        assertThat(LedgerProbe.buckets(user)[2]).isEqualTo(30_000);

        Settlement settled = settle(user, hold, 12_000);
        assertThat(settled.entry().grantedDelta()).isEqualTo(-12_000);
        assertThat(settled.shortfall().value()).isZero();
        // The settle freed the hold: what it did not spend expired right after, in the same transaction.
        assertLotGone(user, lot, 2);
    }

    @Test
    void aSettleAboveItsHoldNeverPaysTheExcessWithExpiredCredits() {
        String user = newAccount();
        GrantedLot lot = onlyAnHourLot(user);
        Hold hold = holdAcrossTheExpiry(user, lot, 10_000);

        Settlement settled = settle(user, hold, 25_000);
        assertThat(settled.charged().value()).isEqualTo(10_000);
        assertThat(settled.shortfall().value()).isEqualTo(15_000);
        assertThat(LedgerProbe.granted(user)).isZero();
        assertAddsUp(user);
    }

    @Test
    void aHoldCannotUseADueLot() {
        String user = newAccount();
        GrantedLot lot = onlyAnHourLot(user);
        clock.set(lot.expiresAt().plusSeconds(1));
        assertThatThrownBy(() -> hold(user, 1_000, clock.instant().plusSeconds(600)))
                .isInstanceOf(InsufficientCreditsException.class);
        // A refused request changes nothing, not even the expiry it ran on its way: the job does it.
        assertThat(LedgerProbe.granted(user)).isEqualTo(50_000);
        assertThat(tx(() -> ledger.expireDueGrants(user))).hasSize(1);
        assertThat(LedgerProbe.granted(user)).isZero();
        assertAddsUp(user);
    }

    @Test
    void aBalanceReadExpiresDueLotsAndARefundBringsBackTheAccountsNextExpiry() {
        String user = newAccount();
        GrantedLot soon = grant(user, 5_000, Duration.ofHours(1), 100);
        GrantedLot later = grant(user, 5_000, Duration.ofDays(3), 100);
        LedgerEntry charged = charge(user, 110_000);
        assertThat(remaining(soon)).isZero();
        assertThat(remaining(later)).isZero();
        long usage = charged.usageId();
        LedgerEntry refund = refund(user, usage, 10_000);
        assertThat(refund.grantedDelta()).isEqualTo(10_000);

        clock.set(soon.expiresAt().plusSeconds(1));
        CreditAccount account = tx(() -> ledger.ensureAccount(user));
        assertThat(account.grantedMillicredits).isEqualTo(5_000);
        assertThat(account.grantsExpireAt).isEqualTo(later.expiresAt());
        assertAddsUp(user);
    }
}
