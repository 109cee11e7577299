package dev.tollgate.ledger;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.platform.jdbc.NamedStatement;

/**
 * The ledger's statements as {@link Ledger} prepares and binds them: the seam through which the
 * benchmark builds its pgbench scripts (bench/LoadDriver.java, compiled against this class by CI),
 * so that a change of the ledger's SQL or bind order breaks the build, not the benchmark.
 * {@code LedgerStatementsTest} runs each statement bound by these names and checks what it wrote.
 */
public final class LedgerStatements {

    static final String HOLD_INSERT = """
            INSERT INTO credit_reservation (id, user_id, status, amount_millicredits, model, idempotency_key,
                   request_hash, expires_at, created_at, prompt_tokens, max_output_tokens, character_id,
                   conversation_id, charged_at_expiry, member_id)
            VALUES (?, ?, 'HELD', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /**
     * Claims a live hold for its resolution; the settled amount is 0 until the settle writes it.
     * Answers the held amount, the pool member who placed it, and the account's next grant expiry (a
     * settle expires due lots first).
     */
    static final String HOLD_CLAIM = """
            UPDATE credit_reservation SET status = ?, resolved_at = ?, settled_millicredits = ?
             WHERE id = ? AND user_id = ? AND status = 'HELD'
            RETURNING amount_millicredits, member_id,
                      (SELECT grants_expire_at FROM credit_account a WHERE a.user_id = credit_reservation.user_id)
                          AS grants_expire_at""";

    static final String SETTLED_AMOUNT = "UPDATE credit_reservation SET settled_millicredits = ? WHERE id = ?";

    private LedgerStatements() {
    }

    /**
     * The balance change of an operation ({@code CHARGE}, {@code HOLD}, {@code SETTLE}, ...): its
     * three arguments by the names its expressions give them and the time, then the account, the
     * audit row.
     */
    public static NamedStatement change(String operation) {
        BalanceChange change = BalanceChange.valueOf(operation);
        return new NamedStatement(change.sql, changeParameters(change, null));
    }

    /**
     * The balance change of an operation that also inserts the row its entry points at (a charge
     * with its usage row): {@code linkedInsert} is that row's insert, whose placeholders come after
     * {@code updated_at}; the entry's usage id is the new row's.
     */
    public static NamedStatement changeWithLinkedRow(String operation, NamedStatement linkedInsert) {
        BalanceChange change = BalanceChange.valueOf(operation);
        return new NamedStatement(change.sqlWithLinkedRow(linkedInsert.sql()), changeParameters(change, linkedInsert));
    }

    /**
     * The balance change of a team pool member's charge or hold ({@code CHARGE} or {@code HOLD}),
     * counted against the member's cap in the same statement, with the charge's usage row if
     * {@code linkedInsert} is not null: the member's id ({@code member_id}) comes after the linked
     * row's placeholders. The statement answers {@code member_counted}.
     */
    public static NamedStatement changeCountingMember(String operation, NamedStatement linkedInsert) {
        BalanceChange change = BalanceChange.valueOf(operation);
        if (change != BalanceChange.CHARGE && change != BalanceChange.HOLD) {
            throw new IllegalArgumentException("only a charge or a hold counts against a member's cap: " + operation);
        }
        List<String> names = changeParameters(change, linkedInsert, true);
        return new NamedStatement(change.sqlCountingMember(linkedInsert == null ? null : linkedInsert.sql()), names);
    }

    private static List<String> changeParameters(BalanceChange change, NamedStatement linked) {
        return changeParameters(change, linked, false);
    }

    private static List<String> changeParameters(BalanceChange change, NamedStatement linked, boolean member) {
        List<String> names = new ArrayList<>(List.of(change.firstArgument(), change.secondArgument(),
                change.thirdArgument(), "now", "user_id", "updated_at"));
        if (linked != null) {
            names.addAll(linked.parameters());
        }
        if (member) {
            names.add("member_id");
        }
        names.addAll(List.of("operation", "idempotency_key", "request_hash"));
        if (linked == null) {
            names.add("usage_id");
        }
        names.addAll(List.of("reservation_id", "actor", "client_ip", "user_agent", "created_at", "metadata"));
        return names;
    }

    /** A hold's row, placed before its HOLD change. */
    public static NamedStatement holdInsert() {
        return new NamedStatement(HOLD_INSERT, List.of("id", "user_id", "amount_millicredits", "model",
                "idempotency_key", "request_hash", "expires_at", "created_at", "prompt_tokens", "max_output_tokens",
                "character_id", "conversation_id", "charged_at_expiry", "member_id"));
    }

    /** A live hold claimed for its settle or release; answers the held amount. */
    public static NamedStatement holdClaim() {
        return new NamedStatement(HOLD_CLAIM, List.of("status", "resolved_at", "settled_millicredits", "id", "user_id"));
    }

    /**
     * Takes what a change spent from the granted bucket ({@code amount}, the negated granted delta
     * of entry {@code entry_id}) from the account's lots, in burn order; runs after the change, in
     * its transaction, only when the change touched the granted bucket.
     */
    public static NamedStatement grantSpend() {
        return new NamedStatement(GrantLots.SPEND, List.of("now", "user_id", "amount", "entry_id"));
    }

    /** What a settle charged, written on its hold after the SETTLE change. */
    public static NamedStatement settledAmount() {
        return new NamedStatement(SETTLED_AMOUNT, List.of("settled_millicredits", "id"));
    }
}
