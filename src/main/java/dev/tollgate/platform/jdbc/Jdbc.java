package dev.tollgate.platform.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.UUID;

/** Small helpers for the hand-written SQL of the money path. */
public final class Jdbc {

    /** PostgreSQL's unique_violation. */
    public static final String UNIQUE_VIOLATION = "23505";
    /** Bound of the search through causes and suppressed exceptions. */
    private static final int MAX_EXCEPTIONS_SEARCHED = 64;

    private Jdbc() {
    }

    public static void setTime(PreparedStatement ps, int index, Instant time) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
    }

    public static Instant getTime(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    public static void setNullableUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
        ps.setObject(index, value, Types.OTHER);
    }

    public static Long getNullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /**
     * Whether this failure (or one of its causes) says the database could not be reached or
     * dropped the session: a connection exception (SQLSTATE class 08: refused, broken, I/O error)
     * or the server ending it (57P01 admin shutdown, as {@code pg_terminate_backend} does; 57P02
     * crash shutdown; 57P03 cannot connect now, while it starts or recovers). Nothing of such a
     * transaction was committed, unless the commit itself was cut: the caller's unique keys decide.
     *
     * <p>Causes and suppressed exceptions are both searched: a commit cut by a dying connection
     * surfaces as the transaction manager's {@code RollbackException}, with the driver's error
     * only in a suppressed {@code XAException}. The search is bounded.
     */
    public static boolean isConnectionLoss(Throwable failure) {
        ArrayDeque<Throwable> pending = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        if (failure != null) {
            pending.add(failure);
        }
        while (!pending.isEmpty() && seen.size() < MAX_EXCEPTIONS_SEARCHED) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof SQLException sql && isConnectionLossState(sql.getSQLState())) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            pending.addAll(Arrays.asList(t.getSuppressed()));
        }
        return false;
    }

    private static boolean isConnectionLossState(String state) {
        return state != null
                && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }

    /** The name of the unique constraint this failure violated, or {@code null} if it is another failure. */
    public static String violatedUniqueConstraint(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException pg && UNIQUE_VIOLATION.equals(pg.getSQLState())) {
                return pg.getServerErrorMessage() != null ? pg.getServerErrorMessage().getConstraint() : "";
            }
        }
        return null;
    }
}
