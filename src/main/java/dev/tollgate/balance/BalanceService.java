package dev.tollgate.balance;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.GrantLot;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.PlansConfig;
import dev.tollgate.ledger.RecentSpending;
import dev.tollgate.platform.money.Millicredits;
import dev.tollgate.platform.tx.Transactions;

/** Reads a user's balance, opening the account on the first call. */
@ApplicationScoped
public class BalanceService {

    @Inject
    Ledger ledger;

    @Inject
    PlansConfig plans;

    @Inject
    BalanceConfig config;

    @Inject
    Transactions transactions;

    @Inject
    RecentSpending spending;

    @Inject
    Clock clock;

    public BalanceResponse balanceOf(String userId) {
        Instant now = clock.instant();
        Read read = transactions.inNewTransaction(() -> {
            CreditAccount opened = ledger.ensureAccount(userId);
            return new Read(opened, autoTopUp(userId), spending.netSpentSince(userId, now.minus(DepletionForecast.WINDOW)),
                    grants(opened));
        });
        CreditAccount account = read.account();
        PlansConfig.Plan plan = plans.plan(account.plan);
        long allowance = plan.monthlyAllowanceMillicredits();
        long low = allowance * config.lowPercent() / 100;
        long critical = allowance * config.criticalPercent() / 100;
        long available = account.balances().available();
        WarningLevel level = WarningLevel.of(available, low, critical);
        Instant nextRefreshAt = nextRefreshAt(account);
        return new BalanceResponse(account.plan, account.monthlyMillicredits, account.grantedMillicredits,
                account.purchasedMillicredits, account.reservedMillicredits, available, Millicredits.of(available).credits(),
                account.periodStart, nextRefreshAt, level, new BalanceResponse.Thresholds(low, critical),
                plan.upgradeHint() && level != WarningLevel.OK, read.autoTopUp(),
                DepletionForecast.project(available, read.netSpentInWindow(), now, nextRefreshAt), read.grants());
    }

    /** When the account's monthly allowance is next refreshed: a calendar month (UTC) after its period start. */
    public static Instant nextRefreshAt(CreditAccount account) {
        return account.periodStart.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
    }

    private record Read(CreditAccount account, BalanceResponse.AutoTopUpState autoTopUp, long netSpentInWindow,
            List<BalanceResponse.Grant> grants) {
    }

    /** The lots that still hold credits; an account without granted credits reads none. */
    private static List<BalanceResponse.Grant> grants(CreditAccount account) {
        if (account.grantedMillicredits == 0) {
            return List.of();
        }
        return GrantLot.spendable(account.userId).stream()
                .map(lot -> new BalanceResponse.Grant(lot.id, lot.granted, lot.remaining, lot.expiresAt, lot.priority,
                        lot.reason))
                .toList();
    }

    /** The user's auto top-up (package purchase sets it), read from its table: null if never set. */
    private static BalanceResponse.AutoTopUpState autoTopUp(String userId) {
        List<?> rows = CreditAccount.getEntityManager().createNativeQuery("""
                SELECT enabled, threshold_millicredits, pack_id, disabled_reason FROM credit_auto_top_up WHERE user_id = ?1""")
                .setParameter(1, userId)
                .getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] row = (Object[]) rows.get(0);
        return new BalanceResponse.AutoTopUpState((Boolean) row[0],
                ((Number) row[1]).longValue() / Millicredits.PER_CREDIT, (String) row[2], (String) row[3]);
    }
}
