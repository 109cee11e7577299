package dev.tollgate.metering;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.ledger.LedgerStatements;
import dev.tollgate.platform.jdbc.NamedStatement;

/**
 * The statements of a metered call's usage row as {@link UsageRecorder} prepares and binds them,
 * and the charge with its usage row in one statement: with {@link LedgerStatements}, the seam of
 * the benchmark's pgbench scripts.
 */
public final class MeteringStatements {

    private static final String COLUMNS = """
            token_usage (user_id, request_id, model, character_id, conversation_id, input_tokens,
                   cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, total_tokens,
                   cost_millicredits, estimated, pricing_id, reservation_id, created_at, member_id)""";

    static final String USAGE_INSERT = "INSERT INTO " + COLUMNS + """

            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id""";

    /** The row as the charge statement inserts it: the user is the charged account's. */
    static final String LINKED_USAGE_INSERT = "INSERT INTO " + COLUMNS + """

            SELECT upd.user_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM upd
            RETURNING id""";

    /** The row's values after its user, in bind order. */
    private static final List<String> AFTER_USER = List.of("request_id", "model", "character_id", "conversation_id",
            "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens",
            "total_tokens", "cost_millicredits", "estimated", "pricing_id", "reservation_id", "created_at", "member_id");

    private MeteringStatements() {
    }

    /** A usage row on its own (a settle's); answers its id. */
    public static NamedStatement usageInsert() {
        List<String> names = new ArrayList<>(List.of("user_id"));
        names.addAll(AFTER_USER);
        return new NamedStatement(USAGE_INSERT, names);
    }

    /** A usage row as a charge's statement inserts it, after the account's update. */
    public static NamedStatement linkedUsageInsert() {
        return new NamedStatement(LINKED_USAGE_INSERT, AFTER_USER);
    }

    /** A charge and its usage row: one statement, one round trip. */
    public static NamedStatement chargeWithUsageRow() {
        return LedgerStatements.changeWithLinkedRow("CHARGE", linkedUsageInsert());
    }
}
