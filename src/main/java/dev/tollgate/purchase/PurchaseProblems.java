package dev.tollgate.purchase;

import dev.tollgate.platform.problem.Problem;
import dev.tollgate.platform.problem.ProblemException;
import dev.tollgate.platform.problem.ProblemType;

/** The problems the purchase endpoints answer with. */
final class PurchaseProblems {

    private PurchaseProblems() {
    }

    static final class NotConfigured extends ProblemException {
        NotConfigured() {
            super("purchases not configured");
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.PURCHASES_NOT_CONFIGURED, "Credits cannot be bought on this service.");
        }
    }

    static final class UnknownPack extends ProblemException {
        private final String packId;

        UnknownPack(String packId) {
            super("unknown pack");
            this.packId = packId;
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.UNKNOWN_PACK, "There is no credit pack with this id.").with("packId", packId);
        }
    }

    static final class NotFound extends ProblemException {
        NotFound() {
            super("purchase not found");
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.PURCHASE_NOT_FOUND, "No purchase with this id.");
        }
    }

    static final class NotRefundable extends ProblemException {
        private final String status;

        NotRefundable(String status) {
            super("purchase not refundable");
            this.status = status;
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.PURCHASE_NOT_REFUNDABLE, "Only a paid purchase can be refunded.")
                    .with("status", status);
        }
    }

    static final class BadSignature extends ProblemException {
        BadSignature() {
            super("webhook signature not valid");
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.WEBHOOK_SIGNATURE_INVALID, "The Stripe-Signature header does not verify.");
        }
    }

    static final class MalformedEvent extends ProblemException {
        MalformedEvent() {
            super("webhook payload not an event");
        }

        @Override
        public Problem problem() {
            return Problem.of(ProblemType.MALFORMED_JSON, "The body is not a Stripe event.");
        }
    }
}
