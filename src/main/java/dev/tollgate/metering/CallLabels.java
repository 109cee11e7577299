package dev.tollgate.metering;

/**
 * The shape of what a metered call is about, as callers name it ({@code characterId},
 * {@code conversationId}): at most 128 characters of text without control characters and
 * without lone surrogates — PostgreSQL's text cannot hold NUL, and a lone surrogate has no UTF-8
 * form (it would be stored as something else than was sent). One character class, so that
 * matching never recurses.
 */
public final class CallLabels {

    public static final String TEXT = "[^\\p{Cc}\\p{Cs}]*";
    public static final String MESSAGE = "must not contain control characters or lone surrogates";
    public static final int MAX_LENGTH = 128;

    private CallLabels() {
    }
}
