package dev.tollgate.platform.problem;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import io.vertx.core.json.JsonObject;

/**
 * Every kind of error the API answers with, in one catalogue: the {@code type} URI's slug (the
 * constant's name in lower case with hyphens), the status, the title, when it is answered, and an
 * example body. The exception mappers build their answers from it, the OpenAPI document takes its
 * problem answers and examples from it, and {@code docs/problems.md} is its rendering.
 */
public enum ProblemType {

    INVALID_REQUEST(400, "The request is not valid",
            "A field is missing, malformed or out of range, or a rule across fields is broken; `violations` names the fields that Bean Validation refused.",
            "One or more fields are missing or out of range.",
            """
            {"violations":[{"field":"model","message":"must not be blank"}]}"""),
    MALFORMED_JSON(400, "The body is not valid JSON",
            "The body is not well-formed JSON, repeats a key, or a field cannot be read.",
            "The body is not well-formed JSON (or repeats a key).", null),
    IDEMPOTENCY_KEY_MISSING(400, "Idempotency key required",
            "A mutation without an `Idempotency-Key` header (or a charge without `requestId`).",
            "Send an Idempotency-Key header (or the requestId of the call being metered).", null),
    IDEMPOTENCY_KEY_INVALID(400, "Idempotency key not valid",
            "The key is empty, too long, or has characters outside visible ASCII.",
            "An idempotency key is 1 to 255 visible ASCII characters.", null),
    IDEMPOTENCY_KEY_MISMATCH(400, "Idempotency key and requestId differ",
            "A charge's `Idempotency-Key` header and `requestId` are both sent and differ.",
            "When both the Idempotency-Key header and requestId are sent they must be equal.", null),
    IDEMPOTENCY_KEY_RESERVED(400, "Idempotency key reserved",
            "The key starts with `tollgate:`, the namespace of the keys Tollgate derives itself.",
            "Idempotency keys starting with 'tollgate:' are Tollgate's own; choose another key.", null),
    WEBHOOK_SIGNATURE_INVALID(400, "Webhook signature not valid",
            "A Stripe webhook without a valid `Stripe-Signature` for the configured signing secret, or signed more than the tolerance (5 minutes) ago; nothing was changed.",
            "The Stripe-Signature header does not verify.", null),
    PROVIDER_REJECTED_REQUEST(400, "The AI provider rejected the request",
            "The AI provider refused the chat request as written; the provider's message, `param` and `code` where it gives them.",
            "Unrecognized request argument supplied: logit_bias", """
            {"param":"logit_bias"}"""),
    UNAUTHENTICATED(401, "Authentication required",
            "No valid bearer token (missing, expired, wrongly signed); with `WWW-Authenticate: Bearer`. Fetch a fresh token.",
            "A valid bearer token is required.", null),
    INSUFFICIENT_CREDITS(402, "Not enough credits",
            "The available credits do not cover the amount; nothing was changed. `required` and `available` in credits and in millicredits, the `plan`, and an `upgrade` hint on the free plan. On a team pool, also the `account` (`team:<id>`) and `ranOut`: `pool`.",
            "This needs 1.250 credits; 0.400 are available.", """
            {"required":1.25,"available":0.4,"requiredMillicredits":1250,"availableMillicredits":400,"plan":"free",\
            "upgrade":"Upgrade your plan for a larger monthly allowance, or buy credits."}"""),
    MEMBER_CAP_REACHED(402, "The member's spending cap is reached",
            "A member of a team pool would pass their monthly cap (what their calls cost this period plus what their live holds set aside), even though the pool has credits; nothing was changed. `cap`, `spent` and `held` in millicredits, with the `account` (the pool) and `ranOut`: `member-cap`.",
            "This needs 1.250 credits; 0.400 of your 10.000-credit cap on the team's pool are left.", """
            {"account":"team:5b0f9e1c-3f1d-4f0e-8a43-5d2c1b7e9a10","ranOut":"member-cap","capMillicredits":10000,\
            "spentMillicredits":9200,"heldMillicredits":400,"requiredMillicredits":1250}"""),
    FORBIDDEN(403, "Not allowed",
            "The token does not grant the operation (an admin operation without the `admin` role).",
            "The token does not grant this operation.", null),
    NOT_A_TEAM_MEMBER(403, "Not a member of the team",
            "The caller names a team (with `X-Tollgate-Account: team:<id>` or in the path) that they are not a member of, or no longer; nothing was changed. The same answer whether or not the team exists.",
            "The caller is not a member of this team; nothing was changed.", null),
    TEAM_ROLE_REQUIRED(403, "The team role does not allow this",
            "A member asks for what their role does not allow: managing members and caps takes `manager` or `owner`; roles, buying credits for the pool and deleting the team take `owner`.",
            "Managing roles takes the owner role in this team.", """
            {"requiredRole":"owner","role":"manager"}"""),
    SELF_ADJUSTMENT_FORBIDDEN(403, "Adjusting one's own account is not allowed",
            "An admin adjusts their own credits; another admin must do it.",
            "An admin cannot adjust their own credits; another admin must do it.", null),
    USAGE_NOT_FOUND(404, "Charge not found",
            "A refund names a charged call that the account does not have (a compensation's failure, recorded by the job).",
            "No charged call with this id belongs to the account.", null),
    PURCHASE_NOT_FOUND(404, "Purchase not found",
            "No purchase with this id (for a user: no purchase of theirs).",
            "No purchase with this id.", null),
    PURCHASES_NOT_CONFIGURED(404, "Purchases are not available",
            "This deployment sells no credits: Stripe and credit packs are not configured.",
            "Credits cannot be bought on this service.", null),
    RESERVATION_NOT_FOUND(404, "Reservation not found",
            "No reservation with this id belongs to the caller.",
            "No reservation with this id belongs to the caller.", null),
    ACCOUNT_NOT_FOUND(404, "Account not found",
            "No credit account exists for the user id (reading never opens one).",
            "No credit account exists for this user id.", null),
    TEAM_NOT_FOUND(404, "Team not found",
            "An admin names a team that does not exist, or no longer (members and non-members are answered `not-a-team-member` instead).",
            "No team with this id.", null),
    WEBHOOK_ENDPOINT_NOT_FOUND(404, "Webhook endpoint not found",
            "No webhook endpoint has this id.",
            "No webhook endpoint with this id.", null),
    WEBHOOK_DELIVERY_NOT_FOUND(404, "Webhook delivery not found",
            "No webhook delivery has this id.",
            "No webhook delivery with this id.", null),
    UNKNOWN_JOB(404, "Unknown job",
            "No job has the name; `job` repeats it.",
            "There is no job with this name.", """
            {"job":"defragment"}"""),
    NOT_FOUND(404, "Not Found",
            "No resource at this path.", null, null),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed",
            "The path does not take this HTTP method.", null, null),
    NOT_ACCEPTABLE(406, "Not Acceptable",
            "The `Accept` header asks for a media type the operation cannot answer with.", null, null),
    IDEMPOTENCY_KEY_REUSED(409, "Idempotency key already used",
            "The idempotency key was used before with a different request (for a chat call: used at all); nothing was changed.",
            "This idempotency key was used with a different request. Use a new key for a new request.", null),
    RESERVATION_ALREADY_RESOLVED(409, "Reservation already resolved",
            "The reservation was settled, released or expired already, or settled with another body.",
            "The reservation is released and cannot change again.", null),
    ADJUSTMENT_WOULD_OVERDRAW(409, "Adjustment would overdraw",
            "An adjustment would take a bucket or the available balance below zero.",
            "The adjustment would take the monthly bucket or the available balance below zero.", null),
    REFUND_EXCEEDS_CHARGE(409, "Refund exceeds the charge",
            "The refunds of a call would add up to more than it cost (a compensation's failure, recorded by the job).",
            "The refunds of a call can add up to at most what it cost.", null),
    PURCHASE_NOT_REFUNDABLE(409, "Purchase cannot be refunded",
            "The purchase was never paid, or its payment is refunded or disputed already; `status` says which.",
            "Only a paid purchase can be refunded.", """
            {"status":"pending"}"""),
    TEAM_CHANGE_REFUSED(409, "The team cannot change this way",
            "The change would break a rule of the team: a user added twice, the last owner removed or made a manager, or the team deleted while calls on its pool are on hold; nothing was changed.",
            "The user is a member of the team already.", null),
    PRICE_ALREADY_SCHEDULED(409, "Price already exists",
            "The model already has a price taking effect at exactly this time; prices are never changed in place.",
            "The model already has a price taking effect at exactly this time; prices are never changed in place.", null),
    BODY_TOO_LARGE(413, "Request body too large",
            "The body is larger than `quarkus.http.limits.max-body-size` (1 MB); refused before it is read.",
            "A request body may have at most 1048576 bytes.", null),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type",
            "The body's `Content-Type` is not one the operation reads (JSON).", null, null),
    UNKNOWN_MODEL(422, "Unknown model",
            "The model has no price, so it cannot be used; `model` names it.",
            "There is no price for this model, so it cannot be used.", """
            {"model":"gpt-9"}"""),
    UNKNOWN_PACK(422, "Unknown credit pack",
            "No credit pack has this id; `packId` names it. `GET /api/credit/packs` lists the packs.",
            "There is no credit pack with this id.", """
            {"packId":"huge"}"""),
    MODEL_NOT_SERVED(422, "Model not served",
            "The model has a price but no configured upstream serves it; `model` names it.",
            "No provider is configured for this model, so it cannot be used.", """
            {"model":"gpt-9"}"""),
    UNSUPPORTED_CONTENT(422, "Content that cannot be metered",
            "The chat request asks for what Tollgate cannot count or price (audio, files, images for a model without an image rule, audio output, predicted outputs, web search, a priced service tier); `field` names it.",
            "Audio input cannot be metered.", """
            {"field":"messages[0].content[1]"}"""),
    WEBHOOK_URL_NOT_ALLOWED(422, "Webhook URL not allowed",
            "A webhook endpoint's URL is not an absolute https URL without user info, or its host resolves to an address webhooks may not reach (loopback, private, link-local, CGNAT, multicast, unspecified, cloud metadata); `reason` says which; nothing was changed.",
            "The webhook URL is not allowed.", """
            {"reason":"the host resolves to a private address"}"""),
    UNKNOWN_EVENT_TYPE(422, "Unknown webhook event type",
            "A webhook endpoint subscribes to an event type Tollgate does not publish; `eventType` names it; nothing was changed.",
            "There is no webhook event of this type.", """
            {"eventType":"balance.exploded"}"""),
    WEBHOOK_SECRET_INVALID(422, "Webhook secret not valid",
            "A webhook endpoint's secret is not `whsec_` followed by the base64 of 24 to 64 bytes; nothing was changed.",
            "A webhook secret is whsec_ followed by the base64 of 24 to 64 random bytes.", null),
    RATE_LIMITED(429, "Too many requests",
            "Over the caller's rate limit in a tier; with `Retry-After`, the `tier`, its `limit` per `periodSeconds`, and `retryAfterSeconds`.",
            "At most 30 requests per 1 min in the 'messages' tier; retry in 2 s.", """
            {"tier":"messages","limit":30,"periodSeconds":60,"retryAfterSeconds":2}"""),
    INTERNAL_ERROR(500, "Internal error",
            "A bug: never with details. Retrying with the same idempotency key is safe.",
            "The request could not be completed; nothing was charged twice. Retry with the same idempotency key.", null),
    PROVIDER_ERROR(502, "The AI provider failed",
            "The AI provider failed before any output: nothing was charged. After output, what it generated was charged (`chargedMillicredits`).",
            "The provider could not complete the call. Nothing was charged for this call; try again later.", null),
    PROVIDER_OUTCOME_UNKNOWN(504, "The AI provider did not answer",
            "The call reached the provider and no answer came (504 on a timeout, 502 on a lost connection): the provider may have run it, so its hold was charged (`chargedMillicredits`).",
            "The call reached the provider and no answer came back. The provider may have run it, so the credits held for it were charged.",
            """
            {"chargedMillicredits":1220}"""),
    DATABASE_UNAVAILABLE(503, "Service temporarily unavailable",
            "The database cannot be reached even after retries; nothing was changed. With `Retry-After`; retry with the same idempotency key.",
            "The database cannot be reached right now; nothing was changed. Retry in a few seconds with the same idempotency key.",
            """
            {"retryAfterSeconds":2}"""),
    PAYMENT_PROVIDER_UNAVAILABLE(503, "The payment provider is unavailable",
            "Stripe could not be reached or refused the call; nothing was charged. With `Retry-After`; retry with the same idempotency key.",
            "The payment provider cannot be reached right now. Retry with the same idempotency key.", """
            {"retryAfterSeconds":5}"""),
    PRICES_UNAVAILABLE(503, "Prices are unavailable",
            "No price can be read and none is known; `retryAfterSeconds`.",
            "Prices cannot be read right now. Try again in a few seconds.", """
            {"retryAfterSeconds":5}"""),
    PROVIDER_BUSY(503, "The AI provider is busy",
            "The upstream's concurrency limit is reached or it asked to slow down; nothing was charged. With `Retry-After`.",
            "Too many calls to the provider are in progress. Nothing was charged; retry shortly.", """
            {"retryAfterSeconds":7}"""),
    PROVIDER_UNAVAILABLE(503, "The AI provider is unavailable",
            "The upstream's circuit is open after repeated failures; nothing was charged. With `Retry-After`.",
            "The provider failed repeatedly and is not being called for a moment. Nothing was charged.", """
            {"retryAfterSeconds":10}"""),
    PROVIDER_TIMEOUT(504, "The AI provider did not answer in time",
            "The AI provider went silent or ran past its time after output: what it generated was charged (`chargedMillicredits`). Before the call was sent, nothing was charged and there is no `chargedMillicredits`.",
            "The provider stopped in the middle of the answer; what it had generated was charged.", """
            {"chargedMillicredits":4}""");

    /** Every {@code type} URI is this followed by the slug. */
    public static final String URI_BASE = "https://tollgate.dev/problems/";

    private final int status;
    private final String title;
    private final String answeredWhen;
    private final String exampleDetail;
    private final String exampleMembers;

    ProblemType(int status, String title, String answeredWhen, String exampleDetail, String exampleMembers) {
        this.status = status;
        this.title = title;
        this.answeredWhen = answeredWhen;
        this.exampleDetail = exampleDetail;
        this.exampleMembers = exampleMembers;
    }

    /** The last segment of the type URI, e.g. {@code insufficient-credits}. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String uri() {
        return URI_BASE + slug();
    }

    /** The status it is answered with (one type, {@code provider-outcome-unknown}, also with another). */
    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** When the API answers with it, in a sentence for the reader of the API's documentation. */
    public String answeredWhen() {
        return answeredWhen;
    }

    /** An example body, as the API answers it: the same members, named as on the wire. */
    public String example() {
        JsonObject example = new JsonObject().put("type", uri()).put("title", title).put("status", status);
        if (exampleDetail != null) {
            example.put("detail", exampleDetail);
        }
        if (exampleMembers != null) {
            example.mergeIn(new JsonObject(exampleMembers));
        }
        return example.encode();
    }

    public static Optional<ProblemType> ofSlug(String slug) {
        return Arrays.stream(values()).filter(type -> type.slug().equals(slug)).findFirst();
    }
}
