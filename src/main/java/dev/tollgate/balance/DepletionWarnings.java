package dev.tollgate.balance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.RecentSpending;
import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.tx.Transactions;
import dev.tollgate.webhook.WebhookEventTypes;
import dev.tollgate.webhook.WebhookOutbox;

/**
 * Warns, by webhook {@code balance.depletion_predicted}, of accounts whose credits run out, at the
 * pace of the last 7 days ({@link DepletionForecast}), more than the configured days before their
 * next refresh; once per crossing. The state is a {@code depletion_warning} row per warned account
 * and period: written with the event, in one transaction, when the prediction starts to hold;
 * deleted when it no longer holds, which re-arms the warning; a row of an earlier period counts as
 * absent, so the refresh re-arms it too.
 *
 * <p>A run walks, in batches of one transaction each, the accounts with spending in the window
 * ({@link RecentSpending#spendersAfter}), then the warned accounts, whose spending may have stopped.
 */
@ApplicationScoped
public class DepletionWarnings {

    private static final String WARNED_AMONG = """
            SELECT user_id, period_start FROM depletion_warning WHERE user_id = ANY (?)""";
    private static final String WARNED_AFTER = """
            SELECT user_id FROM depletion_warning WHERE user_id > ? ORDER BY user_id LIMIT ?""";
    /** Answers the row only if the warning fires now: no row, or one of an earlier period. */
    private static final String WARN = """
            INSERT INTO depletion_warning (user_id, period_start, depletes_at, warned_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE
               SET period_start = EXCLUDED.period_start, depletes_at = EXCLUDED.depletes_at, warned_at = EXCLUDED.warned_at
             WHERE depletion_warning.period_start < EXCLUDED.period_start
            RETURNING user_id""";
    private static final String REARM = "DELETE FROM depletion_warning WHERE user_id = ANY (?)";

    @Inject
    RecentSpending spending;

    @Inject
    WebhookOutbox webhooks;

    @Inject
    BalanceConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /** What a run did: accounts evaluated, warnings fired, warnings re-armed. */
    public record Outcome(long evaluated, long warned, long rearmed) {

        Outcome plus(Outcome other) {
            return new Outcome(evaluated + other.evaluated, warned + other.warned, rearmed + other.rearmed);
        }
    }

    /** One run over the accounts that spent in the window, then over the warned ones. */
    public Outcome run() {
        Instant now = clock.instant();
        Instant since = now.minus(DepletionForecast.WINDOW);
        BalanceConfig.DepletionWarning settings = config.depletionWarning();
        Outcome total = new Outcome(0, 0, 0);
        String after = "";
        for (int batch = 0; batch < settings.maxBatches(); batch++) {
            List<RecentSpending.Spender> spenders = spending.spendersAfter(after, since, settings.batchSize());
            if (spenders.isEmpty()) {
                break;
            }
            Map<String, Long> spent = new LinkedHashMap<>();
            spenders.forEach(s -> spent.put(s.userId(), s.netSpentMillicredits()));
            total = total.plus(transactions.inNewTransaction(() -> evaluate(spent, now)));
            after = spenders.get(spenders.size() - 1).userId();
            if (spenders.size() < settings.batchSize()) {
                break;
            }
        }
        // The warned accounts again: one that stopped spending is in no batch above.
        after = "";
        for (int batch = 0; batch < settings.maxBatches(); batch++) {
            List<String> warned = warnedAfter(after, settings.batchSize());
            if (warned.isEmpty()) {
                break;
            }
            Map<String, Long> spent = new LinkedHashMap<>();
            warned.forEach(userId -> spent.put(userId, spending.netSpentSince(userId, since)));
            Outcome outcome = transactions.inNewTransaction(() -> evaluate(spent, now));
            total = total.plus(new Outcome(0, outcome.warned(), outcome.rearmed()));
            after = warned.get(warned.size() - 1);
            if (warned.size() < settings.batchSize()) {
                break;
            }
        }
        return total;
    }

    /** Fires or re-arms the warning of each account, given what it spent net in the window before {@code now}. */
    @Transactional(Transactional.TxType.MANDATORY)
    Outcome evaluate(Map<String, Long> netSpent, Instant now) {
        Duration margin = Duration.ofDays(config.depletionWarning().days());
        List<String> userIds = List.copyOf(netSpent.keySet());
        Map<String, Instant> warnedPeriods = warnedAmong(userIds);
        List<CreditAccount> accounts = CreditAccount.list("userId in ?1", userIds);
        List<String> rearm = new ArrayList<>();
        long warned = 0;
        for (CreditAccount account : accounts) {
            Instant nextRefreshAt = BalanceService.nextRefreshAt(account);
            long available = account.balances().available();
            DepletionForecast forecast = DepletionForecast.project(available, netSpent.get(account.userId), now,
                    nextRefreshAt);
            Instant warnedPeriod = warnedPeriods.get(account.userId);
            if (!forecast.depletesMoreThanBefore(margin, nextRefreshAt)) {
                if (warnedPeriod != null) {
                    rearm.add(account.userId);
                }
            } else if ((warnedPeriod == null || warnedPeriod.isBefore(account.periodStart))
                    && warn(account, forecast, now)) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("depletesAt", forecast.depletesAt().toString());
                data.put("nextRefreshAt", nextRefreshAt.toString());
                data.put("availableMillicredits", available);
                data.put("dailySpendMillicredits", forecast.dailySpendMillicredits());
                data.put("warningDays", config.depletionWarning().days());
                webhooks.publish(account.userId, WebhookEventTypes.BALANCE_DEPLETION_PREDICTED, data);
                warned++;
            }
        }
        if (!rearm.isEmpty()) {
            rearm(rearm);
        }
        return new Outcome(accounts.size(), warned, rearm.size());
    }

    /** Writes the warning's row; false if the account was warned in this period already. */
    private boolean warn(CreditAccount account, DepletionForecast forecast, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(WARN)) {
            ps.setString(1, account.userId);
            Jdbc.setTime(ps, 2, account.periodStart);
            Jdbc.setTime(ps, 3, forecast.depletesAt());
            Jdbc.setTime(ps, 4, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("record depletion warning", e);
        }
    }

    private Map<String, Instant> warnedAmong(List<String> userIds) {
        Map<String, Instant> periods = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(WARNED_AMONG)) {
            ps.setArray(1, c.createArrayOf("varchar", userIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    periods.put(rs.getString(1), Jdbc.getTime(rs, "period_start"));
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("read depletion warnings", e);
        }
        return periods;
    }

    private List<String> warnedAfter(String afterUserId, int limit) {
        return Rows.query(dataSource, "find depletion warnings", WARNED_AFTER, (c, ps) -> {
            ps.setString(1, afterUserId);
            ps.setInt(2, limit);
        }, rs -> rs.getString(1));
    }

    /** Deletes the warnings of these accounts: their next crossing fires again. */
    private void rearm(List<String> userIds) {
        Rows.update(dataSource, "re-arm depletion warnings", REARM, (c, ps) -> {
            ps.setArray(1, c.createArrayOf("varchar", userIds.toArray()));
        });
    }
}
