package dev.tollgate.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A row that a ledger statement inserts together with its entry, and that the entry points at by
 * {@code usage_id}: the usage row of a charged call. Written in the same statement, so that a
 * charge is one round trip to the database rather than two, and only when the charge applies.
 */
public interface LinkedRow {

    /**
     * {@code INSERT INTO … SELECT … FROM upd … RETURNING id}: {@code upd} is the updated account
     * row ({@code upd.user_id}); the values are {@code ?} placeholders bound by {@link #bind}.
     */
    String insertSql();

    /** Binds the placeholders of {@link #insertSql()} from {@code index} on; answers the next index. */
    int bind(PreparedStatement ps, int index) throws SQLException;
}
