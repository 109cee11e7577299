package dev.tollgate.grant;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import dev.tollgate.ledger.BalanceSnapshot;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A granted lot: its id, the GRANT entry that created it, its terms, and the user's balances after it. */
// The entity of a raw Response, which Quarkus cannot see: registered for the native image.
@RegisterForReflection
public record GrantResponse(UUID lotId, long entryId, String userId, long amountMillicredits, BigDecimal amountCredits,
        Instant expiresAt, int priority, String reason, String actor, BalanceSnapshot balance, String idempotencyKey,
        Instant createdAt) {
}
