package dev.tollgate.balance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.EntryListener;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.PlansConfig;
import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * Publishes {@code balance.low}, {@code .critical}, {@code .depleted} and {@code .recovered} when
 * a ledger entry takes the available balance across a warning level's threshold, in the entry's
 * transaction. The balance before the entry is exact: the account row stays locked from the entry
 * to the commit, so the entries of one account come one after another.
 *
 * <p>Cheap on the money path: the thresholds depend on the account's plan, so an entry that crosses
 * no threshold under any configured plan (nearly every entry) is decided in memory, with no
 * statement. Only an entry that crosses one under some plan reads the account's plan, and
 * publishes (one statement per event; none written when no endpoint takes the type).
 */
@ApplicationScoped
public class BalanceThresholdWebhooks implements EntryListener {

    private static final String PLAN = "SELECT plan FROM credit_account WHERE user_id = ?";

    @Inject
    PlansConfig plans;

    @Inject
    BalanceConfig levels;

    @Inject
    WebhookOutbox webhooks;

    @Inject
    DataSource dataSource;

    /** The low and critical thresholds of every configured plan. */
    private Map<String, long[]> thresholdsByPlan = Map.of();

    @PostConstruct
    void computeThresholds() {
        Map<String, long[]> byPlan = new LinkedHashMap<>();
        plans.catalog().forEach((name, plan) -> byPlan.put(name, thresholds(plan)));
        thresholdsByPlan = Map.copyOf(byPlan);
    }

    @Override
    public void written(LedgerEntry entry) {
        long after = entry.after().available();
        long before = Math.subtractExact(after, entry.availableDelta());
        if (before == after || thresholdsByPlan.values().stream()
                .allMatch(t -> ThresholdCrossing.of(before, after, t[0], t[1]).isEmpty())) {
            return;
        }
        String plan = planOf(entry.userId());
        long[] thresholds = thresholdsByPlan.get(plan);
        if (thresholds == null) {
            return;
        }
        List<ThresholdCrossing> crossings = ThresholdCrossing.of(before, after, thresholds[0], thresholds[1]);
        for (ThresholdCrossing crossing : crossings) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("availableMillicredits", after);
            data.put("previousAvailableMillicredits", before);
            data.put("thresholdMillicredits", crossing.thresholdMillicredits());
            data.put("plan", plan);
            data.put("ledgerEntryId", entry.id());
            data.put("operation", entry.operation().name().toLowerCase());
            webhooks.publish(entry.userId(), crossing.eventType(), data);
        }
    }

    /** {low, critical} as the balance answer computes them: percent of the plan's monthly allowance. */
    private long[] thresholds(PlansConfig.Plan plan) {
        long allowance = plan.monthlyAllowanceMillicredits();
        return new long[] { allowance * levels.lowPercent() / 100, allowance * levels.criticalPercent() / 100 };
    }

    private String planOf(String userId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PLAN)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read plan", e);
        }
    }
}
