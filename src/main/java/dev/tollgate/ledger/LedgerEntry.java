package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import dev.tollgate.platform.idempotency.StoredRequest;

/** A balance change as written to the ledger: the signed change per bucket and the balances after it. */
public record LedgerEntry(long id, String userId, Operation operation, long monthlyDelta, long grantedDelta,
        long purchasedDelta, long reservedDelta, Balances after, String idempotencyKey, String requestHash, Long usageId,
        UUID holdId, Instant createdAt) implements StoredRequest {

    /**
     * {@link #spendableDelta()} as an SQL expression over a {@code credit_audit_log} row, for sums
     * the database computes ({@link RecentSpending}): the two change together.
     */
    static final String SPENDABLE_DELTA_SQL = "monthly_delta + granted_delta + purchased_delta";

    /** The credits this entry took from (negative) or gave to (positive) the spendable buckets. */
    public long spendableDelta() {
        return monthlyDelta + grantedDelta + purchasedDelta; // the same columns as SPENDABLE_DELTA_SQL
    }

    /**
     * How much this entry changed the available balance ({@link Balances#available()}): the
     * spendable buckets' change less what it set aside or freed. The available balance before it is
     * {@code after().available() - availableDelta()}.
     */
    public long availableDelta() {
        return Math.subtractExact(spendableDelta(), reservedDelta());
    }

    /**
     * Whether this entry is the given operation on the given hold: what an entry found under a
     * derived key must be for the operation to count as done before.
     */
    public boolean is(Operation expected, UUID hold) {
        return operation == expected && hold != null && hold.equals(holdId);
    }

    static LedgerEntry of(CreditAuditLog row) {
        return new LedgerEntry(row.id, row.userId, Operation.valueOf(row.operation), row.monthlyDelta, row.grantedDelta,
                row.purchasedDelta, row.reservedDelta,
                new Balances(row.monthlyAfter, row.grantedAfter, row.purchasedAfter, row.reservedAfter),
                row.idempotencyKey, row.requestHash, row.usageId, row.holdId, row.createdAt);
    }
}
