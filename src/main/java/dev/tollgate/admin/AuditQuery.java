package dev.tollgate.admin;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.tollgate.ledger.AdminAction;
import dev.tollgate.ledger.Operation;
import dev.tollgate.platform.http.QueryParameters;

/**
 * A validated query of the ledger: a half-open range of instants {@code [from, to)} of at most
 * {@value #MAX_DAYS} days (default: the last {@value #DEFAULT_DAYS} days), optional filters by
 * user, operation and actor, and a page of rows, newest first.
 */
public record AuditQuery(String userId, Instant from, Instant to, String operation, String actor, int page,
        int size) {

    static final int MAX_DAYS = 366;
    static final int DEFAULT_DAYS = 30;
    static final int MAX_PAGE = 10_000;
    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 200;
    static final List<String> OPERATIONS = Stream.concat(Arrays.stream(Operation.values()).map(Enum::name),
            Arrays.stream(AdminAction.values()).map(Enum::name)).toList();

    /** Parses the query parameters, which arrive as text so that a malformed one is a 400, not a 404. */
    static AuditQuery parse(String userId, String from, String to, String operation, String actor, String page,
            String size, Instant now) {
        Instant end = to == null ? now : instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofDays(DEFAULT_DAYS)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw AdminProblem.invalid("'from' is not before 'to'.");
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            throw AdminProblem.invalid("A range covers at most " + MAX_DAYS + " days.");
        }
        return new AuditQuery(userId, start, end, operation == null ? null : operation(operation), actor,
                QueryParameters.wholeNumber("page", page, 0, 0, MAX_PAGE),
                QueryParameters.wholeNumber("size", size, DEFAULT_SIZE, 1, MAX_SIZE));
    }

    private static Instant instant(String name, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            throw AdminProblem.invalid("'" + name + "' is not an ISO-8601 instant such as 2025-01-31T00:00:00Z.");
        }
    }

    /** The operation's name as stored: a balance change or an admin action that moves no credits. */
    private static String operation(String name) {
        String stored = name.toUpperCase(Locale.ROOT);
        if (!OPERATIONS.contains(stored)) {
            throw AdminProblem.invalid("'operation' is one of " + OPERATIONS.stream()
                    .map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ".");
        }
        return stored;
    }
}
