package dev.tollgate.balance;

import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.tollgate.ledger.CreditAccount;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.ledger.PlansConfig;
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

    public BalanceResponse balanceOf(String userId) {
        CreditAccount account = transactions.inNewTransaction(() -> ledger.ensureAccount(userId));
        PlansConfig.Plan plan = plans.plan(account.plan);
        long allowance = plan.monthlyAllowanceMillicredits();
        long low = allowance * config.lowPercent() / 100;
        long critical = allowance * config.criticalPercent() / 100;
        long available = account.balances().available();
        WarningLevel level = WarningLevel.of(available, low, critical);
        return new BalanceResponse(account.plan, account.monthlyMillicredits, account.purchasedMillicredits,
                account.reservedMillicredits, available, Millicredits.of(available).credits(), account.periodStart,
                account.periodStart.atZone(ZoneOffset.UTC).plusMonths(1).toInstant(), level,
                new BalanceResponse.Thresholds(low, critical),
                plan.upgradeHint() && level != WarningLevel.OK);
    }
}
