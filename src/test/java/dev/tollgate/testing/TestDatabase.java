package dev.tollgate.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import dev.tollgate.platform.devdb.EmbeddedDatabase;

/**
 * The database the tests run against: {@code QUARKUS_DATASOURCE_JDBC_URL} (with
 * {@code QUARKUS_DATASOURCE_USERNAME} and {@code QUARKUS_DATASOURCE_PASSWORD}) when set, the
 * embedded PostgreSQL otherwise. Tests read it over plain JDBC, so that the same checks run
 * against the packaged application.
 */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static synchronized String jdbcUrl() {
        String configured = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        return configured != null && !configured.isBlank() ? configured : EmbeddedDatabase.start(null);
    }

    public static String user() {
        return System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
    }

    public static String password() {
        return System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", EmbeddedDatabase.PASSWORD);
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }
}
