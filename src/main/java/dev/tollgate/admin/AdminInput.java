package dev.tollgate.admin;

/** The shapes of the identifiers admin calls name, shared by bodies, paths and query parameters. */
public final class AdminInput {

    /**
     * A user id is a token subject: 1 to 255 printable ASCII characters (OIDC Core 1.0, "sub"),
     * no leading or trailing space.
     */
    public static final String USER_ID = "[\\x21-\\x7E]|[\\x21-\\x7E][\\x20-\\x7E]*[\\x21-\\x7E]";
    public static final int USER_ID_MAX = 255;
    public static final String USER_ID_MESSAGE = "is not a user id (1 to 255 printable ASCII characters)";

    /** A model name, as the metered calls accept it. */
    public static final String MODEL = "[A-Za-z0-9][A-Za-z0-9._:/-]*";
    public static final int MODEL_MAX = 128;
    public static final String MODEL_MESSAGE = "is not a model name";

    private AdminInput() {
    }
}
