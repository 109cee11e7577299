package dev.tollgate.purchase;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code stripe-java} reads events and API answers into its model classes with Gson, by
 * reflection; Quarkus cannot see that at build time, so the classes Tollgate reads are registered
 * here for the native image (with their nested classes).
 */
@RegisterForReflection(targets = {
        com.stripe.model.Event.class,
        com.stripe.model.Event.Data.class,
        com.stripe.model.Event.Request.class,
        com.stripe.model.checkout.Session.class,
        com.stripe.model.Charge.class,
        com.stripe.model.PaymentIntent.class,
        com.stripe.model.Customer.class,
        com.stripe.model.Dispute.class,
        com.stripe.model.Refund.class,
        com.stripe.model.StripeError.class,
        com.stripe.model.MetadataStore.class,
        com.stripe.model.StripeObject.class,
        com.stripe.model.ExpandableField.class
}, ignoreNested = false)
final class StripeModelsForNative {

    private StripeModelsForNative() {
    }
}
