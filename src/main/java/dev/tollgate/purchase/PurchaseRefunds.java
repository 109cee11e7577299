package dev.tollgate.purchase;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tollgate.ledger.AdminAction;
import dev.tollgate.ledger.AdminActionLog;
import dev.tollgate.platform.security.RequestOrigin;
import dev.tollgate.platform.tx.Transactions;

/**
 * An admin's refund of a purchase: asked of Stripe (at most one refund per purchase, by Stripe's
 * idempotency key) and audited; the credits are taken back when Stripe's {@code charge.refunded}
 * event arrives, like any other refund.
 */
@ApplicationScoped
public class PurchaseRefunds {

    @Inject
    PurchaseService purchases;

    @Inject
    StripeGateway stripe;

    @Inject
    AdminActionLog adminActions;

    @Inject
    Transactions transactions;

    @Inject
    ObjectMapper json;

    public record Requested(UUID purchaseId, String refundId, String status) {
    }

    public Requested refund(String adminId, UUID purchaseId, RefundRequest request, RequestOrigin origin) {
        purchases.requireConfigured();
        CreditPurchase purchase = transactions.inNewTransaction(
                () -> CreditPurchase.<CreditPurchase> findByIdOptional(purchaseId)
                        .orElseThrow(PurchaseProblem::notFound));
        PurchaseStatus status = purchase.status();
        if (!purchase.paid || purchase.paymentIntentId == null
                || (status != PurchaseStatus.PAID && status != PurchaseStatus.PARTIALLY_REFUNDED)) {
            throw PurchaseProblem.notRefundable(purchase.status);
        }
        String refundId = stripe.refund(purchase, request.reason());
        ObjectNode details = json.createObjectNode().put("admin", adminId).put("purchaseId", purchaseId.toString())
                .put("userId", purchase.userId).put("paymentIntentId", purchase.paymentIntentId).put("refundId", refundId);
        transactions.inNewTransaction(() -> adminActions.record(AdminAction.REFUND_REQUEST,
                AdminActionLog.ADMIN_ACTOR_PREFIX + adminId, request.reason(), details, origin));
        return new Requested(purchaseId, refundId, "requested");
    }
}
