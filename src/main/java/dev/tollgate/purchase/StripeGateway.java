package dev.tollgate.purchase;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.checkout.SessionCreateParams;

/**
 * Every call Tollgate makes to Stripe, through the official {@code stripe-java} client, each with
 * an idempotency key of Stripe's derived from our own ids: a retry of ours never makes a second
 * Checkout Session or a second refund.
 */
@ApplicationScoped
public class StripeGateway {

    /** Connect and read timeouts of a call to Stripe. */
    static final int TIMEOUT_MILLIS = 10_000;

    private final PurchasesConfig config;
    private final StripeClient client;

    @Inject
    public StripeGateway(PurchasesConfig config) {
        this.config = config;
        this.client = config.stripe().apiKey().map(key -> {
            StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(key)
                    .setConnectTimeout(TIMEOUT_MILLIS).setReadTimeout(TIMEOUT_MILLIS).setMaxNetworkRetries(2);
            config.stripe().apiBase().ifPresent(builder::setApiBase);
            return builder.build();
        }).orElse(null);
    }

    /**
     * A Checkout Session (mode payment) for the purchase of one pack: its id and the URL to send the
     * user to. With a {@code customer} (the user has auto top-up on), the card is saved to that
     * customer for later payments without the user ({@code setup_future_usage=off_session}).
     */
    public Checkout createCheckout(CreditPurchase purchase, PurchasesConfig.Pack pack, String customer) {
        SessionCreateParams.LineItem.Builder item = SessionCreateParams.LineItem.builder().setQuantity(1L);
        pack.stripePriceId().ifPresentOrElse(item::setPrice, () -> item.setPriceData(
                SessionCreateParams.LineItem.PriceData.builder()
                        .setCurrency(pack.price().currency())
                        .setUnitAmount(pack.price().amount())
                        .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                .setName(pack.credits() + " credits").build())
                        .build()));
        SessionCreateParams.PaymentIntentData.Builder payment = SessionCreateParams.PaymentIntentData.builder()
                .putMetadata("purchase_id", purchase.id.toString());
        SessionCreateParams.Builder session = SessionCreateParams.builder();
        if (customer != null) {
            session.setCustomer(customer);
            payment.setSetupFutureUsage(SessionCreateParams.PaymentIntentData.SetupFutureUsage.OFF_SESSION);
        }
        SessionCreateParams params = session
                .setMode(SessionCreateParams.Mode.PAYMENT)
                .setClientReferenceId(purchase.id.toString())
                .putMetadata("purchase_id", purchase.id.toString())
                .putMetadata("pack_id", purchase.packId)
                .setPaymentIntentData(payment.build())
                .setSuccessUrl(config.successUrl().orElseThrow())
                .setCancelUrl(config.cancelUrl().orElseThrow())
                .addLineItem(item.build())
                .build();
        try {
            Session created = client.checkout().sessions().create(params, idempotent("checkout-" + purchase.id));
            return new Checkout(created.getId(), created.getUrl());
        } catch (StripeException e) {
            throw new PaymentProviderException("create the Checkout Session", e);
        }
    }

    /** The Stripe Customer of a user, made once (Stripe's idempotency key is derived from the user). */
    public String createCustomer(String userId) {
        CustomerCreateParams params = CustomerCreateParams.builder().putMetadata("user_id", userId).build();
        try {
            return client.customers().create(params, idempotent("customer-" + userId)).getId();
        } catch (StripeException e) {
            throw new PaymentProviderException("create the customer", e);
        }
    }

    /**
     * Charges an auto top-up to the saved card, without the user ({@code off_session}, confirmed at
     * once), under an idempotency key derived from the purchase: a retry never charges twice. The
     * credits are granted when {@code payment_intent.succeeded} arrives.
     *
     * @return the PaymentIntent's id
     * @throws PaymentDeclinedException if the card was declined
     */
    public String chargeOffSession(CreditPurchase topUp, String customer, String paymentMethod) {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
                .setAmount(topUp.amountMinor)
                .setCurrency(topUp.currency)
                .setCustomer(customer)
                .setPaymentMethod(paymentMethod)
                .setOffSession(true)
                .setConfirm(true)
                .putMetadata("purchase_id", topUp.id.toString())
                .putMetadata("pack_id", topUp.packId)
                .build();
        try {
            return client.paymentIntents().create(params, idempotent("top-up-" + topUp.id)).getId();
        } catch (CardException e) {
            throw new PaymentDeclinedException(e.getUserMessage() != null ? e.getUserMessage() : e.getMessage());
        } catch (StripeException e) {
            throw new PaymentProviderException("charge the auto top-up", e);
        }
    }

    /** Asks Stripe to refund a purchase's whole payment; the webhook then takes the credits back. */
    public String refund(CreditPurchase purchase, String reason) {
        RefundCreateParams params = RefundCreateParams.builder()
                .setPaymentIntent(purchase.paymentIntentId)
                .setReason(RefundCreateParams.Reason.REQUESTED_BY_CUSTOMER)
                .putMetadata("purchase_id", purchase.id.toString())
                .putMetadata("reason", reason)
                .build();
        try {
            return client.refunds().create(params, idempotent("refund-" + purchase.id)).getId();
        } catch (StripeException e) {
            throw new PaymentProviderException("create the refund", e);
        }
    }

    private static RequestOptions idempotent(String key) {
        return RequestOptions.builder().setIdempotencyKey("tollgate-" + key).build();
    }

    public record Checkout(String sessionId, String url) {
    }
}
