package dev.tollgate.purchase;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.tollgate.testing.FakeStripe;

/** Purchases on: Stripe is the local {@link FakeStripe}, with three packs. */
public class PurchasesConfigured implements QuarkusTestProfile {

    static final String WEBHOOK_SECRET = "whsec_test_tollgate";
    static final String SUCCESS_URL = "https://chat.example.test/credits?purchase={CHECKOUT_SESSION_ID}";
    static final String CANCEL_URL = "https://chat.example.test/credits?purchase=cancelled";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("tollgate.purchases.stripe.api-key", "sk_test_tollgate"),
                Map.entry("tollgate.purchases.stripe.webhook-secret", WEBHOOK_SECRET),
                Map.entry("tollgate.purchases.stripe.api-base", FakeStripe.start().baseUrl()),
                Map.entry("tollgate.purchases.success-url", SUCCESS_URL),
                Map.entry("tollgate.purchases.cancel-url", CANCEL_URL),
                Map.entry("tollgate.purchases.packs.small.credits", "100"),
                Map.entry("tollgate.purchases.packs.small.price.amount", "500"),
                Map.entry("tollgate.purchases.packs.small.price.currency", "usd"),
                Map.entry("tollgate.purchases.packs.large.credits", "1000"),
                Map.entry("tollgate.purchases.packs.large.price.amount", "4000"),
                Map.entry("tollgate.purchases.packs.large.price.currency", "usd"),
                Map.entry("tollgate.purchases.packs.listed.credits", "50"),
                Map.entry("tollgate.purchases.packs.listed.price.amount", "300"),
                Map.entry("tollgate.purchases.packs.listed.price.currency", "eur"),
                Map.entry("tollgate.purchases.packs.listed.stripe-price-id", "price_test_listed"));
    }
}
