package dev.tollgate.platform.openapi;

/**
 * Shared pieces of the OpenAPI document, as constants that the resources' annotations use: the
 * name of the problem details schema ({@link ProblemResponsesFilter} defines it) and examples of
 * the problems many operations answer with.
 */
public final class ApiDocs {

    /** The media type of every error ({@code application/problem+json}). */
    public static final String PROBLEM_JSON = "application/problem+json";
    /** The component schema of an RFC 9457 problem details body. */
    public static final String PROBLEM_SCHEMA = "Problem";

    public static final String INVALID_REQUEST = """
            {"type":"https://tollgate.dev/problems/invalid-request","title":"The request is not valid","status":400,\
            "detail":"One or more fields are missing or out of range.",\
            "violations":[{"field":"model","message":"must not be blank"}]}""";

    public static final String IDEMPOTENCY_KEY_MISSING = """
            {"type":"https://tollgate.dev/problems/idempotency-key-missing","title":"Idempotency key required",\
            "status":400,"detail":"Send an Idempotency-Key header."}""";

    public static final String INSUFFICIENT_CREDITS = """
            {"type":"https://tollgate.dev/problems/insufficient-credits","title":"Not enough credits","status":402,\
            "detail":"This needs 1.250 credits; 0.400 are available.","required":1.25,"available":0.4,\
            "requiredMillicredits":1250,"availableMillicredits":400,"plan":"free",\
            "upgrade":"Upgrade your plan for a larger monthly allowance, or buy credits."}""";

    public static final String IDEMPOTENCY_KEY_REUSED = """
            {"type":"https://tollgate.dev/problems/idempotency-key-reused","title":"Idempotency key already used",\
            "status":409,"detail":"This Idempotency-Key was used for a different request."}""";

    public static final String UNKNOWN_MODEL = """
            {"type":"https://tollgate.dev/problems/unknown-model","title":"Unknown model","status":422,\
            "detail":"No price is known for this model.","model":"gpt-9"}""";

    public static final String RESERVATION_NOT_FOUND = """
            {"type":"https://tollgate.dev/problems/reservation-not-found","title":"Reservation not found",\
            "status":404,"detail":"There is no such reservation of yours."}""";

    public static final String RESERVATION_ALREADY_RESOLVED = """
            {"type":"https://tollgate.dev/problems/reservation-already-resolved",\
            "title":"Reservation already resolved","status":409,\
            "detail":"The reservation was already settled, released or expired."}""";

    public static final String UNAUTHENTICATED = """
            {"type":"https://tollgate.dev/problems/unauthenticated","title":"Authentication required","status":401,\
            "detail":"A valid bearer token is required."}""";

    public static final String FORBIDDEN = """
            {"type":"https://tollgate.dev/problems/forbidden","title":"Not allowed","status":403,\
            "detail":"The token does not grant this operation."}""";

    public static final String BODY_TOO_LARGE = """
            {"type":"https://tollgate.dev/problems/body-too-large","title":"Request body too large","status":413,\
            "detail":"A request body may have at most 1048576 bytes."}""";

    public static final String INTERNAL_ERROR = """
            {"type":"https://tollgate.dev/problems/internal-error","title":"Internal error","status":500,\
            "detail":"The request could not be completed; nothing was charged twice. Retry with the same idempotency key."}""";

    private ApiDocs() {
    }
}
