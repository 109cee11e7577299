package dev.tollgate.webhook;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** The problems the admin calls of webhooks answer with. */
final class WebhookProblem extends TypedProblem {

    private WebhookProblem(Problem problem) {
        super(problem);
    }

    static WebhookProblem urlNotAllowed(String reason) {
        return new WebhookProblem(Problem.of(ProblemType.WEBHOOK_URL_NOT_ALLOWED, "The webhook URL is not allowed.")
                .with("reason", reason));
    }

    static WebhookProblem unknownEventType(String type) {
        return new WebhookProblem(Problem.of(ProblemType.UNKNOWN_EVENT_TYPE, "There is no webhook event of this type.")
                .with("eventType", type));
    }

    static WebhookProblem secretInvalid() {
        return new WebhookProblem(Problem.of(ProblemType.WEBHOOK_SECRET_INVALID,
                "A webhook secret is whsec_ followed by the base64 of 24 to 64 random bytes."));
    }

    static WebhookProblem endpointNotFound() {
        return new WebhookProblem(Problem.of(ProblemType.WEBHOOK_ENDPOINT_NOT_FOUND, "No webhook endpoint with this id."));
    }

    static WebhookProblem deliveryNotFound() {
        return new WebhookProblem(Problem.of(ProblemType.WEBHOOK_DELIVERY_NOT_FOUND, "No webhook delivery with this id."));
    }
}
