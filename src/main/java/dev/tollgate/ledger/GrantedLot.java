package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

/** A lot of granted credits as {@link Ledger#grantLot} wrote it: its id, expiry and GRANT entry. */
public record GrantedLot(UUID lotId, Instant expiresAt, LedgerEntry entry) {
}
