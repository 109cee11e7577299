package dev.tollgate.pricing;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import org.eclipse.microprofile.faulttolerance.Fallback;
import org.jboss.logging.Logger;

/**
 * The price of a model in force at a time: the row with the latest effective-from not after it.
 * Price rows are read through an in-memory cache (per model, {@code tollgate.pricing.cache-ttl});
 * a price change takes effect here at most one TTL late.
 *
 * <p>Charges and holds read {@link #current}/{@link #at}: fresh rows or an error, and they need
 * the database anyway. Estimates read {@link #forEstimate}, which falls back, when the database
 * is unreachable, to the last rows ever read and then to configured defaults.
 */
@ApplicationScoped
public class PriceList {

    private static final Logger LOG = Logger.getLogger(PriceList.class);

    @Inject
    Clock clock;

    @Inject
    PricingConfig config;

    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(List<Price> rows, List<Instant> effectiveFrom, Instant readAt) {
    }

    public Price current(String model) {
        return at(model, clock.instant());
    }

    public Price at(String model, Instant time) {
        return pick(fresh(model), model, time);
    }

    /** The current price for an estimate; see the class comment for its fallbacks. */
    @Fallback(fallbackMethod = "lastKnownForEstimate", skipOn = UnknownModelException.class)
    public Price forEstimate(String model) {
        return current(model);
    }

    Price lastKnownForEstimate(String model) {
        Cached known = cache.get(model);
        if (known != null) {
            LOG.warnf("prices unreadable; estimating %s with the prices read at %s", model, known.readAt());
            return pick(known, model, clock.instant());
        }
        PricingConfig.FallbackPrice fallback = config.fallback().get(model);
        if (fallback == null) {
            throw new PricesUnavailableException();
        }
        LOG.warnf("prices unreadable; estimating %s with the configured fallback price", model);
        return new Price(null, model, fallback.input(), fallback.cachedInput().orElse(fallback.input()),
                fallback.input(), fallback.output(), fallback.output());
    }

    /** Forgets every cached row, for example after prices were changed through this instance. */
    public void evictAll() {
        cache.clear();
    }

    private Cached fresh(String model) {
        Instant now = clock.instant();
        Cached cached = cache.get(model);
        if (cached != null && cached.readAt().plus(config.cacheTtl()).isAfter(now)) {
            return cached;
        }
        List<ModelPricing> rows;
        try {
            rows = ModelPricing.<ModelPricing> find("model", model).list();
        } catch (PersistenceException e) {
            LOG.errorf("prices of %s could not be read: %s", model, e.getClass().getSimpleName());
            throw new PricesUnavailableException(e);
        }
        List<ModelPricing> sorted = rows.stream().sorted(Comparator.comparing((ModelPricing r) -> r.effectiveFrom)).toList();
        Cached read = new Cached(sorted.stream().map(ModelPricing::price).toList(),
                sorted.stream().map(r -> r.effectiveFrom).toList(), now);
        cache.put(model, read);
        return read;
    }

    private static Price pick(Cached cached, String model, Instant time) {
        Price found = null;
        for (int i = 0; i < cached.rows().size(); i++) {
            if (!cached.effectiveFrom().get(i).isAfter(time)) {
                found = cached.rows().get(i);
            }
        }
        if (found == null) {
            throw new UnknownModelException(model);
        }
        return found;
    }
}
