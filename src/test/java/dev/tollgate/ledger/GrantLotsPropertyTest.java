package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.testing.LedgerFixture;
import dev.tollgate.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Random sequences of grants, charges, holds, settles, releases, refunds, clock moves and expiry
 * runs on one account, checked after every step: the ledger equals the buckets, the lots sum to the
 * granted bucket and each lot to its movements, no point is negative, no lot gives credits after its
 * expiry (but to its expiry entry or to a hold placed before it), and no call gets back more than
 * it cost. The seeds are fixed, so that a failure replays; the message names the seed and step.
 */
@QuarkusTest
class GrantLotsPropertyTest extends LedgerFixture {

    private static final int SEQUENCES = 60;
    private static final int STEPS = 40;

    /** One connection for every check: a step's checks are one query. */
    private Connection checks;

    @Test
    void randomSequencesKeepEveryLotInvariant() throws SQLException {
        String run = UUID.randomUUID().toString();
        try (Connection connection = TestDatabase.connect()) {
            checks = connection;
            for (int seed = 1; seed <= SEQUENCES; seed++) {
                run(seed, run);
            }
            // The sequences reached every path they are meant to check.
            assertThat(covered(run, "SELECT COUNT(*) FROM credit_audit_log WHERE user_id LIKE ? AND operation = 'GRANT_EXPIRY'"))
                    .as("lots expired").isPositive();
            assertThat(covered(run, "SELECT COUNT(*) FROM credit_audit_log WHERE user_id LIKE ? AND metadata ->> 'forfeitedMillicredits' IS NOT NULL"))
                    .as("refund shares forfeited").isPositive();
            assertThat(covered(run, "SELECT COUNT(*) FROM credit_audit_log WHERE user_id LIKE ? AND operation = 'REFUND' AND granted_delta > 0"))
                    .as("refunds given back to lots").isPositive();
            assertThat(covered(run, "SELECT COUNT(*) FROM credit_audit_log WHERE user_id LIKE ? AND operation = 'SETTLE' AND granted_delta < 0"))
                    .as("settles spending lots").isPositive();
            assertThat(covered(run, """
                    SELECT COUNT(*) FROM credit_grant_lot WHERE user_id LIKE ? AND expired_at IS NULL AND remaining > 0
                       AND EXISTS (SELECT 1 FROM credit_grant_movement m JOIN credit_audit_log e ON e.id = m.entry_id
                                    WHERE m.lot_id = credit_grant_lot.id AND e.operation = 'GRANT_EXPIRY')"""))
                    .as("expiries that kept what live holds needed").isPositive();
        }
    }

    private long covered(String run, String sql) throws SQLException {
        try (PreparedStatement ps = checks.prepareStatement(sql)) {
            ps.setString(1, "grant-property-%-" + run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** One sequence: its account, the live holds and the refundable part of each charged call. */
    private void run(long seed, String run) throws SQLException {
        Random random = new Random(seed);
        Instant start = Instant.now();
        clock.set(start);
        String user = "grant-property-" + seed + "-" + run;
        tx(() -> ledger.ensureAccount(user));
        List<UUID> holds = new ArrayList<>();
        Map<Long, Long> refundable = new HashMap<>();
        for (int step = 0; step < STEPS; step++) {
            String operation = step(random, user, holds, refundable, start);
            String where = "seed " + seed + ", step " + step + " (" + operation + ")";
            assertThat(violations(user)).as(where).containsExactly(0L, 0L, 0L, 0L, 0L);
        }
        clock.reset();
    }

    private String step(Random random, String user, List<UUID> holds, Map<Long, Long> refundable, Instant start) {
        int pick = random.nextInt(100);
        try {
            if (pick < 15) {
                long amount = 1 + random.nextInt(50_000);
                Duration lifetime = Duration.ofMinutes(1 + random.nextInt(24 * 60));
                int priority = 50 * random.nextInt(4);
                tx(() -> ledger.grantLot(user, new GrantTerms(Millicredits.of(amount), clock.instant().plus(lifetime),
                        priority, "admin:property", "property grant"), Mutation.system("property")));
                return "grant " + amount;
            }
            if (pick < 20) {
                tx(() -> ledger.grant(user, Bucket.PURCHASED, Millicredits.of(1 + random.nextInt(20_000)),
                        Mutation.system("property")));
                return "purchase";
            }
            if (pick < 40) {
                long usage = newUsageId(random);
                long amount = 1 + random.nextInt(60_000);
                LedgerEntry entry = tx(() -> ledger.charge(user, Millicredits.of(amount), keyed(user).withUsage(usage)));
                refundable.put(usage, -entry.spendableDelta());
                return "charge " + amount;
            }
            if (pick < 52) {
                long amount = 1 + random.nextInt(40_000);
                UUID id = UUID.randomUUID();
                tx(() -> ledger.hold(id, user, Millicredits.of(amount), "gpt-4o", clock.instant().plusSeconds(3600), CALL,
                        keyed(user)));
                holds.add(id);
                return "hold " + amount;
            }
            if (pick < 62 && !holds.isEmpty()) {
                UUID id = holds.remove(random.nextInt(holds.size()));
                long usage = newUsageId(random);
                long cost = random.nextInt(60_000);
                Settlement settled = tx(() -> ledger.settle(user, id, Millicredits.of(cost),
                        Mutation.system("property").withUsage(usage)));
                refundable.put(usage, settled.charged().value());
                return "settle " + cost;
            }
            if (pick < 68 && !holds.isEmpty()) {
                UUID id = holds.remove(random.nextInt(holds.size()));
                tx(() -> ledger.release(user, id, Mutation.system("property")));
                return "release";
            }
            if (pick < 80 && !refundable.isEmpty()) {
                List<Long> calls = new ArrayList<>(refundable.keySet());
                long usage = calls.get(random.nextInt(calls.size()));
                long left = refundable.get(usage);
                if (left <= 0) {
                    return "nothing to refund";
                }
                long amount = 1 + (long) random.nextInt((int) Math.min(left, Integer.MAX_VALUE - 1));
                tx(() -> ledger.refund(user, usage, Millicredits.of(amount), keyed(user)));
                refundable.put(usage, left - amount);
                return "refund " + amount;
            }
            if (pick < 92) {
                Instant next = clock.instant().plus(Duration.ofMinutes(1 + random.nextInt(12 * 60)));
                // At most two weeks on: a sequence never crosses into another month's refresh.
                clock.set(next.isAfter(start.plus(Duration.ofDays(14))) ? start.plus(Duration.ofDays(14)) : next);
                return "clock to " + clock.instant();
            }
            int expired = tx(() -> ledger.expireDueGrants(user).size());
            return "expiry pass: " + expired;
        } catch (InsufficientCreditsException refused) {
            return "refused (402)";
        } catch (ProblemException | IllegalArgumentException refused) {
            return "refused: " + refused.getMessage();
        }
    }

    /**
     * Per invariant, how often it is broken (each must be 0): the ledger's sums against the buckets,
     * negative points, the lots against the granted bucket and their movements, credits an expired
     * lot gave, and calls whose refunds (given back or forfeited) exceed what they were charged.
     */
    private List<Long> violations(String user) throws SQLException {
        try (PreparedStatement ps = checks.prepareStatement("""
                SELECT (SELECT COUNT(*) FROM credit_account a WHERE a.user_id = u.id AND (a.monthly_millicredits, a.purchased_millicredits,
                               a.reserved_millicredits, a.granted_millicredits) <> (SELECT COALESCE(SUM(monthly_delta), 0),
                               COALESCE(SUM(purchased_delta), 0), COALESCE(SUM(reserved_delta), 0), COALESCE(SUM(granted_delta), 0)
                          FROM credit_audit_log WHERE user_id = u.id)),
                       (SELECT COUNT(*) FROM credit_audit_log WHERE user_id = u.id AND (monthly_after < 0 OR purchased_after < 0
                               OR reserved_after < 0 OR granted_after < 0
                               OR monthly_after + granted_after + purchased_after - reserved_after < 0)),
                       (SELECT COUNT(*) FROM credit_account a WHERE a.user_id = u.id AND a.granted_millicredits
                               <> (SELECT COALESCE(SUM(remaining), 0) FROM credit_grant_lot WHERE user_id = u.id))
                     + (SELECT COUNT(*) FROM credit_grant_lot l WHERE l.user_id = u.id AND l.remaining <> l.granted
                               + (SELECT COALESCE(SUM(delta), 0) FROM credit_grant_movement m WHERE m.lot_id = l.id AND NOT m.forfeited)),
                       (SELECT COUNT(*) FROM credit_grant_movement mv JOIN credit_audit_log e ON e.id = mv.entry_id
                          JOIN credit_grant_lot l ON l.id = mv.lot_id LEFT JOIN credit_reservation h ON h.id = e.reservation_id
                         WHERE l.user_id = u.id AND mv.delta < 0 AND e.created_at >= l.expires_at AND e.operation <> 'GRANT_EXPIRY'
                           AND NOT (e.operation = 'SETTLE' AND h.created_at < l.expires_at)),
                       (SELECT COUNT(*) FROM (
                           SELECT -SUM(e.monthly_delta + e.granted_delta + e.purchased_delta)
                                      FILTER (WHERE e.operation IN ('CHARGE', 'SETTLE')) AS cost,
                                  COALESCE(SUM(e.monthly_delta + e.granted_delta + e.purchased_delta
                                      + COALESCE(CAST(e.metadata ->> 'forfeitedMillicredits' AS bigint), 0))
                                      FILTER (WHERE e.operation = 'REFUND'), 0) AS refunded
                             FROM credit_audit_log e WHERE e.user_id = u.id AND e.usage_id IS NOT NULL GROUP BY e.usage_id) c
                         WHERE c.refunded > c.cost)
                  FROM (SELECT CAST(? AS text) AS id) u""")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                List<Long> counts = new ArrayList<>();
                for (int column = 1; column <= 5; column++) {
                    counts.add(rs.getLong(column));
                }
                return counts;
            }
        }
    }

    private static long newUsageId(Random random) {
        return 1 + Math.floorMod(random.nextLong(), 1_000_000_000_000L);
    }

}
