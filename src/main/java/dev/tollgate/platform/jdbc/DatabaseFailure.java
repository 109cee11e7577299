package dev.tollgate.platform.jdbc;

import java.sql.SQLException;

/** A database failure the code did not expect; answered as a 500 without any detail. */
public class DatabaseFailure extends RuntimeException {

    public DatabaseFailure(String what, SQLException cause) {
        super(what, cause);
    }

    /** Turns a failed statement into the exception the caller handles. */
    public static RuntimeException of(String what, SQLException e) {
        String constraint = Jdbc.violatedUniqueConstraint(e);
        return constraint != null ? new DuplicateRequestException(constraint) : new DatabaseFailure(what, e);
    }
}
