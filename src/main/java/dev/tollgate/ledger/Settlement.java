package dev.tollgate.ledger;

import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;

/**
 * A settled hold: what was held, what the call cost, and what was charged. {@code charged} is
 * below {@code cost} only when the cost exceeded the hold and the account could not cover the
 * difference.
 */
public record Settlement(UUID holdId, Millicredits held, Millicredits cost, Millicredits charged,
        LedgerEntry entry) {

    public Millicredits shortfall() {
        return cost.minus(charged);
    }
}
