package dev.tollgate.platform.audit;

/**
 * The shape of the reason an admin gives for an action, which the audit trail keeps (in a jsonb
 * column): shared by every admin call that asks for one.
 */
public final class Reason {

    /** The longest reason. */
    public static final int MAX_LENGTH = 500;
    /**
     * Text without control characters (tab and line breaks aside) and without lone surrogates:
     * PostgreSQL's jsonb refuses NUL, and a lone surrogate cannot be stored as UTF-8. One
     * character class, so that matching never recurses.
     */
    public static final String TEXT = "[^\\p{Cs}\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*";
    public static final String TEXT_MESSAGE = "must not contain control characters other than tab and line breaks";

    private Reason() {
    }
}
