package dev.tollgate.ratelimit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;

import dev.tollgate.ledger.PlansConfig;

/**
 * The plan of a caller, for their limits: the account's plan, or the default plan of a user who
 * has no account yet (their first call opens one on it). Remembered per instance for
 * {@code tollgate.rate-limit.plan-cache-ttl}, so that a plan change takes effect at most that late.
 */
@ApplicationScoped
public class PlanLookup {

    static final String SELECT_PLAN = "SELECT plan FROM credit_account WHERE user_id = ?";
    private static final int MAX_CACHED = 100_000;

    private record Cached(String plan, long expiresAtNanos) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;

    @Inject
    PlansConfig plans;

    @Inject
    RateLimitConfig config;

    public String planOf(String userId) {
        long ttl = config.planCacheTtl().toNanos();
        long now = System.nanoTime();
        Cached cached = ttl > 0 ? cache.get(userId) : null;
        if (cached != null && cached.expiresAtNanos() - now > 0) {
            return cached.plan();
        }
        String plan = read(userId);
        if (ttl > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(userId, new Cached(plan, now + ttl));
        }
        return plan;
    }

    private String read(String userId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement ps = connection.prepareStatement(SELECT_PLAN)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : plans.defaultPlan();
            }
        } catch (SQLException e) {
            throw new RateLimitStoreException(e);
        }
    }
}
