package dev.tollgate.ledger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How one kind of ledger operation changes an account, as SQL expressions over the locked row
 * ({@code m}, {@code p}, {@code r}: monthly, purchased, reserved) and the two bound arguments
 * ({@code amount}, {@code extra}). Every change has the same shape:
 *
 * <pre>
 *   monthly'   = m - LEAST(m, spend) + monthly_add
 *   purchased' = p - (spend - LEAST(m, spend)) + purchased_add
 *   reserved'  = r + reserved_add
 * </pre>
 *
 * so that spending always burns the monthly bucket first, and the operation applies only when
 * {@code guard} holds. The expressions are constants of this class, never caller input.
 *
 * <p>The row lock is {@code FOR NO KEY UPDATE}, the lock an UPDATE of non-key columns takes: it
 * serializes writers of the account but does not conflict with the {@code FOR KEY SHARE} locks
 * that inserts into tables referencing the account (reservations, audit rows) take. With
 * {@code FOR UPDATE}, two holds on one account deadlock: each has inserted its reservation and
 * waits for the other's key-share lock.
 */
enum BalanceChange {

    GRANT_MONTHLY("0", "amount", "0", "0", "amount > 0"),
    GRANT_PURCHASED("0", "0", "amount", "0", "amount > 0"),
    CHARGE("amount", "0", "0", "0", "amount >= 0 AND m + p - r >= amount"),
    HOLD("0", "0", "0", "amount", "amount > 0 AND m + p - r >= amount"),
    /** amount = the cost; extra = the hold. Charges the cost, capped at what is available once the hold is freed. */
    SETTLE("LEAST(amount, m + p - r + extra)", "0", "0", "-extra", "amount >= 0 AND r >= extra"),
    RELEASE("0", "0", "0", "-amount", "amount > 0 AND r >= amount"),
    /** amount back to monthly, extra back to purchased. */
    REFUND("0", "amount", "extra", "0", "amount >= 0 AND extra >= 0 AND amount + extra > 0"),
    ADJUST_MONTHLY("0", "amount", "0", "0", "amount <> 0 AND m + amount >= 0 AND m + p - r + amount >= 0"),
    ADJUST_PURCHASED("0", "0", "amount", "0", "amount <> 0 AND p + amount >= 0 AND m + p - r + amount >= 0"),
    /**
     * amount = the plan's allowance; extra = the rollover cap, or -1 for none. The monthly bucket
     * becomes the allowance (with rollover: the old monthly plus the allowance, at most the cap),
     * but never so low that live holds would exceed what the account has.
     */
    REFRESH("0", "GREATEST(CASE WHEN extra >= 0 THEN LEAST(m + amount, extra) ELSE amount END, r - p) - m", "0", "0",
            "amount >= 0");

    final String sql;
    private final String spend;
    private final String monthlyAdd;
    private final String purchasedAdd;
    private final String reservedAdd;
    private final String guard;
    /** {@link #sqlWithLinkedRow} per linked insert, built once (there is one: the usage row of a charge). */
    private final Map<String, String> withLinkedRow = new ConcurrentHashMap<>();

    BalanceChange(String spend, String monthlyAdd, String purchasedAdd, String reservedAdd, String guard) {
        this.spend = spend;
        this.monthlyAdd = monthlyAdd;
        this.purchasedAdd = purchasedAdd;
        this.reservedAdd = reservedAdd;
        this.guard = guard;
        this.sql = statement("", "?");
    }

    /**
     * The same statement, also inserting the row its entry points at by {@code usage_id} (the usage
     * row of a charged call): one round trip instead of two. {@code linkedInsert} is an
     * {@code INSERT ... SELECT ... FROM upd ... RETURNING id}, so it writes only when the change
     * applies; its placeholders come right after the one of {@code updated_at}, and the entry's
     * usage id is the new row's instead of a bound value.
     */
    String sqlWithLinkedRow(String linkedInsert) {
        return withLinkedRow.computeIfAbsent(linkedInsert,
                insert -> statement(",\nlinked AS (\n" + insert + ")", "(SELECT id FROM linked)"));
    }

    private String statement(String linkedCte, String usageId) {
        return """
                WITH args AS (SELECT CAST(? AS bigint) AS amount, CAST(? AS bigint) AS extra),
                cur AS (
                    SELECT user_id, monthly_millicredits AS m, purchased_millicredits AS p, reserved_millicredits AS r
                      FROM credit_account WHERE user_id = ? FOR NO KEY UPDATE),
                step AS (
                    SELECT cur.*, %s AS spend, %s AS monthly_add, %s AS purchased_add, %s AS reserved_add
                      FROM cur, args WHERE %s),
                next AS (
                    SELECT user_id, m, p, r,
                           m - LEAST(m, spend) + monthly_add AS m2,
                           p - (spend - LEAST(m, spend)) + purchased_add AS p2,
                           r + reserved_add AS r2
                      FROM step),
                upd AS (
                    UPDATE credit_account a
                       SET monthly_millicredits = next.m2, purchased_millicredits = next.p2,
                           reserved_millicredits = next.r2, updated_at = ?
                      FROM next WHERE a.user_id = next.user_id
                    RETURNING a.user_id)%s
                INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
                       monthly_after, purchased_after, reserved_after, idempotency_key, request_hash, usage_id,
                       reservation_id, actor, client_ip, user_agent, metadata, created_at)
                SELECT next.user_id, ?, next.m2 - next.m, next.p2 - next.p, next.r2 - next.r, next.m2, next.p2, next.r2,
                       ?, ?, %s, ?, ?, ?, ?, CAST(? AS jsonb), ?
                  FROM next JOIN upd ON upd.user_id = next.user_id
                RETURNING id, monthly_delta, purchased_delta, reserved_delta, monthly_after, purchased_after,
                          reserved_after, usage_id""".formatted(spend, monthlyAdd, purchasedAdd, reservedAdd, guard,
                linkedCte, usageId);
    }
}
