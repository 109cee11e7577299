package dev.tollgate.purchase;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Credit packs sold through Stripe Checkout. Purchases are off unless Stripe's secret key, the
 * webhook signing secret, the two Checkout return URLs and at least one pack are configured; then
 * the purchase endpoints answer {@code purchases-not-configured} and nothing else changes.
 */
@ConfigMapping(prefix = "tollgate.purchases")
public interface PurchasesConfig {

    Stripe stripe();

    /** The packs on sale by id ({@code packs.<id>.credits}, {@code .price.amount}, {@code .price.currency}). */
    Map<String, Pack> packs();

    /** Where Checkout sends the user after paying; Stripe fills in {@code {CHECKOUT_SESSION_ID}}. */
    Optional<String> successUrl();

    /** Where Checkout sends the user who leaves without paying. */
    Optional<String> cancelUrl();

    interface Stripe {
        /** The secret API key ({@code sk_...}). */
        Optional<String> apiKey();

        /** The signing secret of the webhook endpoint ({@code whsec_...}). */
        Optional<String> webhookSecret();

        /** Another API base than Stripe's own (a local fake in dev mode and the tests). */
        Optional<String> apiBase();

        /** How old a webhook's signed timestamp may be. */
        @WithDefault("PT5M")
        Duration webhookTolerance();
    }

    interface Pack {
        /** Whole credits the pack adds to the purchased bucket. */
        @Min(1)
        @Max(1_000_000_000)
        long credits();

        Price price();

        /** A Stripe Price to sell the pack with; without it, Checkout is given the amount inline. */
        Optional<String> stripePriceId();
    }

    interface Price {
        /** In the currency's minor unit (cents). */
        @Min(1)
        long amount();

        /** ISO 4217, lower case as Stripe writes it. */
        @Pattern(regexp = "[a-z]{3}")
        String currency();
    }

    /** Whether everything purchases need is configured. */
    default boolean configured() {
        return stripe().apiKey().isPresent() && stripe().webhookSecret().isPresent() && successUrl().isPresent()
                && cancelUrl().isPresent() && !packs().isEmpty();
    }
}
