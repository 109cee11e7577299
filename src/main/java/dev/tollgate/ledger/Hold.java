package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import dev.tollgate.platform.money.Millicredits;

/** Credits set aside for a call in flight, until they are settled, released or expire. */
public record Hold(UUID holdId, Millicredits amount, Instant expiresAt, LedgerEntry entry) {
}
