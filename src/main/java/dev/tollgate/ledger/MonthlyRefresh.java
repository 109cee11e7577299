package dev.tollgate.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.tollgate.platform.jdbc.DatabaseFailure;
import dev.tollgate.platform.jdbc.Jdbc;
import dev.tollgate.platform.jdbc.Rows;
import dev.tollgate.platform.tx.Transactions;

/**
 * Gives each account its plan's allowance at the start of each period (calendar month, UTC): the
 * monthly bucket is replaced by the allowance (or topped up to the plan's rollover cap), audited
 * as a REFRESH entry, with one {@code credit_refresh_history} row per user and period. The row is
 * written first, under its unique key, so that whoever comes second — the job, a balance read,
 * another instance — finds it and does nothing: a period is never applied twice.
 */
@ApplicationScoped
public class MonthlyRefresh {

    static final String ACTOR = "system:monthly-refresh";
    private static final String CLAIM = """
            INSERT INTO credit_refresh_history (user_id, period_start, plan, granted_millicredits,
                   previous_monthly_millicredits, created_at)
            SELECT user_id, ?, plan, 0, 0, ? FROM credit_account WHERE user_id = ? AND period_start < ?
            ON CONFLICT (user_id, period_start) DO NOTHING
            RETURNING plan""";
    private static final String DUE = """
            SELECT user_id FROM credit_account WHERE period_start < ? ORDER BY user_id LIMIT ?""";

    @Inject
    Ledger ledger;

    @Inject
    PlansConfig plans;

    @Inject
    DataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    Clock clock;

    /** The start of the period that contains now. */
    public Instant currentPeriodStart() {
        return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * Refreshes the account if its period is over, in the caller's transaction.
     *
     * @return whether this call applied the refresh
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean refreshIfDue(String userId) {
        Instant period = currentPeriodStart();
        String plan;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            Jdbc.setTime(ps, 1, period);
            Jdbc.setTime(ps, 2, clock.instant());
            ps.setString(3, userId);
            Jdbc.setTime(ps, 4, period);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false; // not due, or refreshed for this period already
                }
                plan = rs.getString(1);
            }
        } catch (SQLException e) {
            throw DatabaseFailure.of("claim refresh", e);
        }
        PlansConfig.Plan terms = plans.plan(plan);
        Ledger.Applied refreshed = ledger.refresh(userId, terms.monthlyAllowanceMillicredits(),
                terms.rolloverCapMillicredits().orElse(-1L), period);
        recordPeriod(userId, period, refreshed);
        return true;
    }

    /**
     * Refreshes every account whose period is over, in bounded batches (one transaction each);
     * resumable: an account refreshed before is not due any more.
     *
     * @return how many accounts were refreshed
     */
    public int refreshAllDue(int batchSize, int maxBatches) {
        int refreshed = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            List<String> due = due(batchSize);
            int applied = transactions.inNewTransaction(() -> {
                int count = 0;
                for (String userId : due) {
                    count += refreshIfDue(userId) ? 1 : 0;
                }
                return count;
            });
            refreshed += applied;
            if (due.size() < batchSize) {
                break;
            }
        }
        return refreshed;
    }

    private void recordPeriod(String userId, Instant period, Ledger.Applied refreshed) {
        LedgerEntry entry = refreshed.entry();
        String sql = """
                UPDATE credit_refresh_history SET granted_millicredits = ?, previous_monthly_millicredits = ?
                 WHERE user_id = ? AND period_start = ?;
                UPDATE credit_account SET period_start = ? WHERE user_id = ?""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, entry.after().monthly() - refreshed.heldOverAfter());
            ps.setLong(2, entry.after().monthly() - entry.monthlyDelta());
            ps.setString(3, userId);
            Jdbc.setTime(ps, 4, period);
            Jdbc.setTime(ps, 5, period);
            ps.setString(6, userId);
            ps.execute();
        } catch (SQLException e) {
            throw DatabaseFailure.of("record refresh", e);
        }
    }

    private List<String> due(int batchSize) {
        return Rows.query(dataSource, "find accounts due for refresh", DUE, (c, ps) -> {
            Jdbc.setTime(ps, 1, currentPeriodStart());
            ps.setInt(2, batchSize);
        }, rs -> rs.getString(1));
    }
}
