package dev.tollgate.ledger;

import java.math.BigDecimal;

import dev.tollgate.platform.money.Millicredits;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The balances after a change, as the API shows them. */
// Inside the entities of raw Responses (charge, hold, adjustment): registered for the native image.
@RegisterForReflection
public record BalanceSnapshot(long monthlyMillicredits, long grantedMillicredits, long purchasedMillicredits,
        long reservedMillicredits, long availableMillicredits, BigDecimal availableCredits) {

    public static BalanceSnapshot of(Balances balances) {
        return new BalanceSnapshot(balances.monthly(), balances.granted(), balances.purchased(), balances.reserved(),
                balances.available(), Millicredits.of(balances.available()).credits());
    }
}
