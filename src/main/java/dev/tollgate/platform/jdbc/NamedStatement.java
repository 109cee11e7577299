package dev.tollgate.platform.jdbc;

import java.util.List;

/**
 * A SQL statement as the application prepares it, with the name of what it binds to each
 * {@code ?}, in order. Tools outside the application (the benchmark's pgbench scripts) build on
 * these instead of copying the SQL and its bind order.
 */
public record NamedStatement(String sql, List<String> parameters) {

    public NamedStatement {
        parameters = List.copyOf(parameters);
        long placeholders = sql.chars().filter(c -> c == '?').count();
        if (placeholders != parameters.size()) {
            throw new IllegalArgumentException(
                    "statement has " + placeholders + " placeholders but names " + parameters.size() + ": " + parameters);
        }
    }
}
