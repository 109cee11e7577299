package dev.tollgate.platform.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * One statement on a connection of the data source (the caller's transaction's, inside one): the
 * rows of a query, its one row, or the count of an update. A failure is thrown as {@link DatabaseFailure#of},
 * named by what the statement does. A query's rows are bounded by its own {@code LIMIT} or key.
 */
public final class Rows {

    /** Sets the parameters of the statement; the connection makes arrays. */
    @FunctionalInterface
    public interface Parameters {
        void set(Connection c, PreparedStatement ps) throws SQLException;
    }

    /** Reads the row the result set is on. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private Rows() {
    }

    public static <T> List<T> query(DataSource dataSource, String what, String sql, Parameters parameters,
            Reader<T> reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            parameters.set(c, ps);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw DatabaseFailure.of(what, e);
        }
    }

    /** The one row the statement answers (an aggregate, or an {@code INSERT … RETURNING}); none is a failure. */
    public static <T> T one(DataSource dataSource, String what, String sql, Parameters parameters, Reader<T> reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            parameters.set(c, ps);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no row");
                }
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of(what, e);
        }
    }

    /** @return the count of rows the statement changed */
    public static int update(DataSource dataSource, String what, String sql, Parameters parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            parameters.set(c, ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw DatabaseFailure.of(what, e);
        }
    }
}
