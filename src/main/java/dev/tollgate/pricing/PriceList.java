package dev.tollgate.pricing;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The price of a model in force at a time: the row with the latest effective-from not after it. */
@ApplicationScoped
public class PriceList {

    @Inject
    Clock clock;

    public Price current(String model) {
        return at(model, clock.instant());
    }

    public Price at(String model, Instant time) {
        return ModelPricing.<ModelPricing> find("model = ?1 and effectiveFrom <= ?2 order by effectiveFrom desc", model, time)
                .firstResultOptional()
                .map(ModelPricing::price)
                .orElseThrow(() -> new UnknownModelException(model));
    }
}
