package dev.tollgate.platform.http;

import dev.tollgate.platform.problem.InvalidRequestException;

/**
 * Query parameters read as text and parsed here: JAX-RS answers 404 when it cannot convert a
 * parameter, and a malformed parameter is a 400.
 */
public final class QueryParameters {

    private QueryParameters() {
    }

    /** A whole number from {@code min} to {@code max}; {@code fallback} when absent. */
    public static int wholeNumber(String name, String value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidRequestException("'" + name + "' is a whole number from " + min + " to " + max + ".");
    }
}
