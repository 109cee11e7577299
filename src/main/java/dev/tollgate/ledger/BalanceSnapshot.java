package dev.tollgate.ledger;

import java.math.BigDecimal;

import dev.tollgate.platform.money.Millicredits;

/** The balances after a change, as the API shows them. */
public record BalanceSnapshot(long monthlyMillicredits, long purchasedMillicredits, long reservedMillicredits,
        long availableMillicredits, BigDecimal availableCredits) {

    public static BalanceSnapshot of(Balances balances) {
        return new BalanceSnapshot(balances.monthly(), balances.purchased(), balances.reserved(), balances.available(),
                Millicredits.of(balances.available()).credits());
    }
}
