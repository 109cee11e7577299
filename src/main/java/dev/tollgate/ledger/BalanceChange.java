package dev.tollgate.ledger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How one kind of ledger operation changes an account, as SQL expressions over the locked row
 * ({@code m}, {@code g}, {@code p}, {@code r}, {@code o}: monthly, granted, purchased, reserved, and
 * the held-over part of monthly; {@code ge}: no later than the earliest expiry of a grant lot;
 * {@code ps}: the start of the account's period) and
 * its three bound arguments, named by the change for what they hold (a settle's {@code cost} and
 * {@code held}, a refund's {@code to_monthly}, {@code to_purchased} and {@code to_granted}, a
 * refresh's {@code allowance} and {@code rollover_cap}, ...), with {@code now}. Every change has the
 * same shape:
 *
 * <pre>
 *   os         = the held-over credits the spend takes (a settle only: LEAST(o, spend))
 *   ms         = LEAST(m - o, spend - os)              the rest burns the period's own monthly first,
 *   gs         = LEAST(g, spend - os - ms)             then granted,
 *   monthly'   = (m - o) - ms + monthly_add + o'       then purchased
 *   granted'   = g - gs + granted_add
 *   purchased' = p - (spend - os - ms - gs) + purchased_add
 *   reserved'  = r + reserved_add
 *   held_over' = o - os, or what the operation sets (a refresh, a lapse)
 * </pre>
 *
 * so that spending always burns the monthly bucket first, a settle spends the credits its hold was
 * placed with (held over a refresh) before anything else, and no other operation spends them. Which
 * lots the granted part comes from is the ledger's next statement ({@link GrantLots}); a charge or
 * hold is refused once a lot is due ({@code ge <= now}) until its expiry has run, so that expired
 * credits are never spent. The operation applies only when {@code guard} holds. The expressions are
 * constants of this class, never caller input.
 *
 * <p>The statement returns the audit row's columns plus what the row does not keep: {@code spent}
 * (what the operation charged, which for a settle may be less than its cost: the shortfall, also
 * written to the row's metadata), {@code held_over_after} and {@code grants_expire_at}.
 *
 * <p>The row lock is {@code FOR NO KEY UPDATE}, the lock an UPDATE of non-key columns takes: it
 * serializes writers of the account but does not conflict with the {@code FOR KEY SHARE} locks
 * that inserts into tables referencing the account (reservations, audit rows) take. With
 * {@code FOR UPDATE}, two holds on one account deadlock: each has inserted its hold and
 * waits for the other's key-share lock.
 */
enum BalanceChange {

    /** Adds {@code amount} to the monthly bucket. */
    GRANT_MONTHLY(Arguments.of("amount"), "0", "amount", "0", "0", "0", "amount > 0"),
    /** Adds {@code amount} to the purchased bucket. */
    GRANT_PURCHASED(Arguments.of("amount"), "0", "0", "0", "amount", "0", "amount > 0"),
    /** Adds {@code amount} to the granted bucket (as a new lot, which the ledger inserts next). */
    GRANT_GRANTED(Arguments.of("amount"), "0", "0", "amount", "0", "0", "amount > 0"),
    /** Spends {@code cost}, if it is available and no grant lot is due. */
    CHARGE(Arguments.of("cost"), "cost", "0", "0", "0", "0",
            "cost >= 0 AND " + Available.SQL + " >= cost AND (cost = 0 OR " + Available.NO_LOT_DUE + ")"),
    /** Sets {@code amount} aside, if it is available and no grant lot is due. */
    HOLD(Arguments.of("amount"), "0", "0", "0", "0", "amount",
            "amount > 0 AND " + Available.SQL + " >= amount AND " + Available.NO_LOT_DUE),
    /**
     * Charges {@code cost} and frees the {@code held} amount of the hold: the cost capped at what
     * is available once the hold is freed, held-over credits first; what the cap leaves uncharged
     * is the shortfall.
     */
    SETTLE(Arguments.of("cost", "held"), "LEAST(cost, " + Available.SQL + " + held)", "0", "0", "0", "-held",
            "cost >= 0 AND r >= held", "LEAST(o, spend)", null,
            "CASE WHEN fin.cost > fin.spend THEN jsonb_build_object('shortfallMillicredits', fin.cost - fin.spend) END"),
    /** Frees the {@code held} amount of a hold. */
    RELEASE(Arguments.of("held"), "0", "0", "0", "0", "-held", "held > 0 AND r >= held"),
    /**
     * Gives back {@code to_monthly}, {@code to_granted} and {@code to_purchased} to their buckets.
     * All three may be zero: a refund whose share of an expired lot does not come back.
     */
    REFUND(Arguments.of("to_monthly", "to_purchased", "to_granted"), "0", "to_monthly", "to_granted", "to_purchased",
            "0", "to_monthly >= 0 AND to_purchased >= 0 AND to_granted >= 0"),
    /**
     * Takes up to {@code amount} from the purchased bucket: never below zero, nor below what live
     * holds need; applies only if it takes something.
     */
    CLAWBACK(Arguments.of("amount"), "0", "0", "0", "-" + Clawback.TAKEN, "0",
            "amount > 0 AND " + Clawback.TAKEN + " > 0"),
    /**
     * Removes up to {@code amount}, an expired lot's remainder, from the granted bucket: never below
     * what live holds need (the rest stays for them, and goes at a later pass); applies only if it
     * takes something.
     */
    GRANT_EXPIRY(Arguments.of("amount"), "0", "0", "-" + Expiry.TAKEN, "0", "0",
            "amount > 0 AND " + Expiry.TAKEN + " > 0"),
    /** Adds the signed {@code amount} to the monthly bucket, never below zero or below what holds need. */
    ADJUST_MONTHLY(Arguments.of("amount"), "0", "amount", "0", "0", "0",
            "amount <> 0 AND m - o + amount >= 0 AND " + Available.SQL + " + amount >= 0"),
    /** Adds the signed {@code amount} to the purchased bucket, never below zero or below what holds need. */
    ADJUST_PURCHASED(Arguments.of("amount"), "0", "0", "0", "amount", "0",
            "amount <> 0 AND p + amount >= 0 AND " + Available.SQL + " + amount >= 0"),
    /**
     * The period's own monthly credits become the plan's {@code allowance} (with a
     * {@code rollover_cap} of 0 or more: the old ones no hold holds plus the allowance, at most the
     * cap; -1: no rollover). The old monthly credits that live holds were placed with are kept as
     * held over, beside the allowance: the holds stay covered, and the new allowance is whole.
     */
    REFRESH(Arguments.of("allowance", "rollover_cap"), "0", "(" + Refreshed.MONTHLY + ") - (m - o)", "0", "0", "0",
            "allowance >= 0", "0", "LEAST(r2, m)",
            "CASE WHEN fin.o2 > 0 THEN jsonb_build_object('heldOverMillicredits', fin.o2) END"),
    /**
     * Held-over credits beyond what live holds still need leave the held-over part. With the plan's
     * {@code rollover_cap} (0 or more) they join the period's own monthly credits up to the cap (as
     * they would have at the refresh, had no hold held them); the rest lapses. The first argument
     * is unused.
     */
    LAPSE(Arguments.of("unused", "rollover_cap"), "0",
            "CASE WHEN rollover_cap >= 0 THEN LEAST(o - r, GREATEST(0, rollover_cap - (m - o))) ELSE 0 END", "0", "0",
            "0", "o > r", "0", "r",
            "jsonb_build_object('lapsedMillicredits', fin.m - fin.m2, 'keptMillicredits', fin.real_m2 - (fin.m - fin.o))");

    /** What the user can spend, and the condition under which spending may touch the granted bucket. */
    private static final class Available {
        static final String SQL = "(m + g + p - r)";
        static final String NO_LOT_DUE = "(ge IS NULL OR ge > now)";
    }

    /** What a claw-back takes: the amount, at most the purchased credits and the available ones. */
    private static final class Clawback {
        static final String TAKEN = "LEAST(amount, p, " + Available.SQL + ")";
    }

    /** What an expiry takes: the lot's remainder, at most the granted credits and the available ones. */
    private static final class Expiry {
        static final String TAKEN = "LEAST(amount, g, " + Available.SQL + ")";
    }

    /** The new monthly credits of a refresh; with rollover, from the old monthly credits that no hold holds. */
    private static final class Refreshed {
        static final String MONTHLY = "CASE WHEN rollover_cap >= 0 THEN LEAST(GREATEST(0, m - r) + allowance, rollover_cap) "
                + "ELSE allowance END";
    }

    /** The names of a change's three bound arguments in its expressions; the unused ones are named so. */
    private record Arguments(String first, String second, String third) {
        static Arguments of(String... names) {
            return new Arguments(names[0], names.length > 1 ? names[1] : "unused",
                    names.length > 2 ? names[2] : "unused_third");
        }
    }

    final String sql;
    private final Arguments arguments;
    private final String spend;
    private final String monthlyAdd;
    private final String grantedAdd;
    private final String purchasedAdd;
    private final String reservedAdd;
    private final String guard;
    private final String heldOverSpent;
    private final String heldOverAfter;
    private final String notes;
    /** {@link #sqlWithLinkedRow} per linked insert, built once (there is one: the usage row of a charge). */
    private final Map<String, String> withLinkedRow = new ConcurrentHashMap<>();
    /** {@link #sqlCountingMember} per linked insert ({@code ""}: none), built once. */
    private final Map<String, String> countingMember = new ConcurrentHashMap<>();

    BalanceChange(Arguments arguments, String spend, String monthlyAdd, String grantedAdd, String purchasedAdd,
            String reservedAdd, String guard) {
        this(arguments, spend, monthlyAdd, grantedAdd, purchasedAdd, reservedAdd, guard, "0", null, null);
    }

    /**
     * @param arguments the names of the three bound arguments
     * @param heldOverSpent the held-over credits the spend takes, over {@code step} ({@code spend} and {@code o})
     * @param heldOverAfter the held-over credits after it, over {@code next}; null: {@code o - os}
     * @param notes a jsonb merged into the entry's metadata, over {@code fin}, or NULL; null: none
     */
    BalanceChange(Arguments arguments, String spend, String monthlyAdd, String grantedAdd, String purchasedAdd,
            String reservedAdd, String guard, String heldOverSpent, String heldOverAfter, String notes) {
        this.arguments = arguments;
        this.spend = spend;
        this.monthlyAdd = monthlyAdd;
        this.grantedAdd = grantedAdd;
        this.purchasedAdd = purchasedAdd;
        this.reservedAdd = reservedAdd;
        this.guard = guard;
        this.heldOverSpent = heldOverSpent;
        this.heldOverAfter = heldOverAfter == null ? "o - os" : heldOverAfter;
        this.notes = notes;
        this.sql = statement("", "?", "");
    }

    /** What the first bound argument is called in this change's expressions. */
    String firstArgument() {
        return arguments.first();
    }

    /** What the second bound argument is called ({@code unused} if the change ignores it). */
    String secondArgument() {
        return arguments.second();
    }

    /** What the third bound argument is called ({@code unused_third} if the change ignores it). */
    String thirdArgument() {
        return arguments.third();
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
                insert -> statement(linkedCte(insert), "(SELECT id FROM linked)", ""));
    }

    /**
     * The same statement (with the linked row, if {@code linkedInsert} is not null), also counting
     * what it spends and holds against a team pool member's cap ({@link MemberSpending#TAKE_IN_CHANGE}):
     * one round trip for a member's charge or hold instead of two. The member's row is updated after
     * the pool's, as in every transaction. Its one placeholder, the member, comes after those of the
     * linked row; the statement answers {@code member_counted}, false if the member's take was
     * refused (the pool's change is written all the same: the caller explains the refusal and rolls
     * it back).
     */
    String sqlCountingMember(String linkedInsert) {
        return countingMember.computeIfAbsent(linkedInsert == null ? "" : linkedInsert,
                insert -> statement((insert.isEmpty() ? "" : linkedCte(insert))
                        + ",\nmember AS (\n" + MemberSpending.TAKE_IN_CHANGE + ")",
                        insert.isEmpty() ? "?" : "(SELECT id FROM linked)",
                        ", EXISTS (SELECT 1 FROM member) AS member_counted"));
    }

    private static String linkedCte(String insert) {
        return ",\nlinked AS (\n" + insert + ")";
    }

    private String statement(String extraCtes, String usageId, String extraColumns) {
        String metadata = notes == null ? "meta.j"
                : "CASE WHEN (%1$s) IS NULL THEN meta.j ELSE COALESCE(meta.j, '{}'::jsonb) || (%1$s) END".formatted(notes);
        return """
                WITH args AS (SELECT CAST(? AS bigint) AS %s, CAST(? AS bigint) AS %s, CAST(? AS bigint) AS %s,
                           CAST(? AS timestamptz) AS now),
                cur AS (
                    SELECT user_id, monthly_millicredits AS m, granted_millicredits AS g, purchased_millicredits AS p,
                           reserved_millicredits AS r, held_over_millicredits AS o, grants_expire_at AS ge,
                           period_start AS ps
                      FROM credit_account WHERE user_id = ? FOR NO KEY UPDATE),
                step AS (
                    SELECT cur.*, args.*, %s AS spend, %s AS monthly_add, %s AS granted_add, %s AS purchased_add,
                           %s AS reserved_add
                      FROM cur, args WHERE %s),
                burn AS (SELECT step.*, %s AS os FROM step),
                split AS (SELECT burn.*, LEAST(m - o, spend - os) AS ms FROM burn),
                grants AS (SELECT split.*, LEAST(g, spend - os - ms) AS gs FROM split),
                next AS (
                    SELECT grants.*, m - o - ms + monthly_add AS real_m2, g - gs + granted_add AS g2,
                           p - (spend - os - ms - gs) + purchased_add AS p2, r + reserved_add AS r2
                      FROM grants),
                over AS (SELECT next.*, %s AS o2 FROM next),
                fin AS (SELECT over.*, real_m2 + o2 AS m2 FROM over),
                upd AS (
                    UPDATE credit_account a
                       SET monthly_millicredits = fin.m2, granted_millicredits = fin.g2, purchased_millicredits = fin.p2,
                           reserved_millicredits = fin.r2, held_over_millicredits = fin.o2, updated_at = ?
                      FROM fin WHERE a.user_id = fin.user_id
                    RETURNING a.user_id)%s,
                entry AS (
                    INSERT INTO credit_audit_log (user_id, operation, monthly_delta, granted_delta, purchased_delta,
                           reserved_delta, monthly_after, granted_after, purchased_after, reserved_after, idempotency_key,
                           request_hash, usage_id, reservation_id, actor, client_ip, user_agent, metadata, created_at)
                    SELECT fin.user_id, ?, fin.m2 - fin.m, fin.g2 - fin.g, fin.p2 - fin.p, fin.r2 - fin.r, fin.m2,
                           fin.g2, fin.p2, fin.r2, ?, ?, %s, ?, ?, ?, ?, %s, ?
                      FROM fin JOIN upd ON upd.user_id = fin.user_id CROSS JOIN (SELECT CAST(? AS jsonb) AS j) meta
                    RETURNING id, monthly_delta, granted_delta, purchased_delta, reserved_delta, monthly_after,
                              granted_after, purchased_after, reserved_after, usage_id)
                SELECT entry.*, fin.spend AS spent, fin.o2 AS held_over_after, fin.ge AS grants_expire_at%s
                  FROM entry CROSS JOIN fin"""
                .formatted(arguments.first(), arguments.second(), arguments.third(), spend, monthlyAdd, grantedAdd,
                        purchasedAdd, reservedAdd, guard, heldOverSpent, heldOverAfter, extraCtes, usageId, metadata,
                        extraColumns);
    }
}
