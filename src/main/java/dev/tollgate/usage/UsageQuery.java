package dev.tollgate.usage;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.tollgate.platform.http.QueryParameters;
import dev.tollgate.platform.problem.InvalidRequestException;

/**
 * A validated usage query: an inclusive range of UTC days (at most {@value #MAX_DAYS} days), the
 * breakdowns wanted, and a page of the call list.
 */
public record UsageQuery(LocalDate from, LocalDate to, Set<Breakdown> breakdowns, int page, int size) {

    static final int MAX_DAYS = 366;
    static final int DEFAULT_DAYS = 30;
    static final int MAX_PAGE = 10_000;
    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 200;

    public enum Breakdown {
        DAY, MODEL, CHARACTER
    }

    static UsageQuery parse(String from, String to, List<String> groupBy, String page, String size, LocalDate today) {
        LocalDate end = to == null ? today : date("to", to);
        LocalDate start = from == null ? end.minusDays(DEFAULT_DAYS - 1) : date("from", from);
        if (start.isAfter(end)) {
            throw new InvalidRequestException("'from' is after 'to'.");
        }
        if (ChronoUnit.DAYS.between(start, end) >= MAX_DAYS) {
            throw new InvalidRequestException("A range covers at most " + MAX_DAYS + " days.");
        }
        Set<Breakdown> breakdowns = EnumSet.noneOf(Breakdown.class);
        if (groupBy == null || groupBy.isEmpty()) {
            breakdowns = EnumSet.allOf(Breakdown.class);
        } else {
            for (String value : groupBy) {
                for (String name : value.split(",")) {
                    breakdowns.add(breakdown(name.trim()));
                }
            }
        }
        return new UsageQuery(start, end, breakdowns, QueryParameters.wholeNumber("page", page, 0, 0, MAX_PAGE),
                QueryParameters.wholeNumber("size", size, DEFAULT_SIZE, 1, MAX_SIZE));
    }


    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeException e) {
            throw new InvalidRequestException("'" + name + "' is not a date of the form YYYY-MM-DD.");
        }
    }

    private static Breakdown breakdown(String name) {
        try {
            return Breakdown.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("'groupBy' takes day, model and character.");
        }
    }
}
