package dev.tollgate.platform.openapi;

/**
 * Names and texts the API's documentation shares: the resources' annotations, the operations'
 * prose in {@code META-INF/openapi.yaml}, and {@link OperationAnswersFilter}. The media type and
 * schema of a problem answer, the operation extension that lists the problem types an operation
 * answers with of its own, and the one that says an operation taking an Idempotency-Key answers
 * without {@code Idempotent-Replayed}.
 */
public final class ApiDocs {

    /** The media type of every error ({@code application/problem+json}). */
    public static final String PROBLEM_JSON = "application/problem+json";
    /** The component schema of an RFC 9457 problem details body. */
    public static final String PROBLEM_SCHEMA = "Problem";
    /**
     * An operation's own problem types, by slug, separated by spaces:
     * {@code x-problem-types: insufficient-credits unknown-model} in {@code META-INF/openapi.yaml}.
     * {@link OperationAnswersFilter} turns each into the answer of its status, with the catalogue's
     * example, and removes the extension; an answer of that status the document describes keeps its
     * description.
     */
    public static final String PROBLEM_TYPES = "x-problem-types";
    /**
     * On an operation that takes an {@code Idempotency-Key} but does not answer with
     * {@code Idempotent-Replayed}, why not:
     * {@code x-not-replayed: a key is used once}.
     * {@link OperationAnswersFilter} documents that header on the success answers of every other
     * operation that takes the key, and removes the extension.
     */
    public static final String NOT_REPLAYED = "x-not-replayed";

    /**
     * The {@code X-Tollgate-Account} header of a call a team's member may make on the team's pool
     * (charges, holds, chat calls, the balance).
     */
    public static final String MEMBER_ACCOUNT = "team:<team id> for a team's pool the caller is a member of; the caller's own if absent";
    /** An {@code X-Tollgate-Account} naming a team's pool. */
    public static final String TEAM_ACCOUNT_EXAMPLE = "team:5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10";

    private ApiDocs() {
    }
}
