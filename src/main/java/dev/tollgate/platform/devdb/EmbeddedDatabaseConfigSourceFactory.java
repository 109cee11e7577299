package dev.tollgate.platform.devdb;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * In dev mode with no database configured, starts the embedded PostgreSQL and points the
 * datasource at it. Does nothing in any other profile, or when {@code quarkus.datasource.jdbc.url}
 * (for example {@code QUARKUS_DATASOURCE_JDBC_URL}) names a database. Tests get the same server
 * through a test resource instead, so that the packaged application under test gets it too.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL_KEY = "quarkus.datasource.jdbc.url";
    static final String DATA_DIRECTORY = "target/dev-postgres";
    /** Below application.properties (250) and the environment (300): any real setting wins. */
    static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev") || isSet(context.getValue(URL_KEY))) {
            return List.of();
        }
        String url = EmbeddedDatabase.start(Path.of(DATA_DIRECTORY));
        return List.of(new PropertiesConfigSource(Map.of(
                URL_KEY, url,
                "quarkus.datasource.username", EmbeddedDatabase.USER,
                "quarkus.datasource.password", EmbeddedDatabase.PASSWORD),
                "tollgate-embedded-postgres", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static boolean isSet(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
