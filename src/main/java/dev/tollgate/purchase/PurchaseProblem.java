package dev.tollgate.purchase;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemType;
import dev.tollgate.platform.problem.TypedProblem;

/** A problem a purchase call answers with: its type, its detail and the members it names. */
final class PurchaseProblem extends TypedProblem {

    private PurchaseProblem(Problem problem) {
        super(problem);
    }

    static PurchaseProblem notConfigured() {
        return new PurchaseProblem(Problem.of(ProblemType.PURCHASES_NOT_CONFIGURED, "Credits cannot be bought on this service."));
    }

    static PurchaseProblem unknownPack(String packId) {
        return new PurchaseProblem(Problem.of(ProblemType.UNKNOWN_PACK, "There is no credit pack with this id.")
                .with("packId", packId));
    }

    static PurchaseProblem notFound() {
        return new PurchaseProblem(Problem.of(ProblemType.PURCHASE_NOT_FOUND, "No purchase with this id."));
    }

    static PurchaseProblem notRefundable(String status) {
        return new PurchaseProblem(Problem.of(ProblemType.PURCHASE_NOT_REFUNDABLE, "Only a paid purchase can be refunded.")
                .with("status", status));
    }

    static PurchaseProblem badSignature() {
        return new PurchaseProblem(Problem.of(ProblemType.WEBHOOK_SIGNATURE_INVALID, "The Stripe-Signature header does not verify."));
    }

    /** Signed with the endpoint's secret, but not a Stripe event: nothing Stripe sends. */
    static PurchaseProblem malformedEvent() {
        return new PurchaseProblem(Problem.of(ProblemType.MALFORMED_JSON, "The body is not a Stripe event."));
    }
}
