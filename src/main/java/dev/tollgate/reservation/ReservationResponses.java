package dev.tollgate.reservation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import dev.tollgate.ledger.BalanceSnapshot;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The bodies the reservation endpoints answer with. */
public final class ReservationResponses {

    private ReservationResponses() {
    }

    /** A hold placed: the amount set aside, until when, and the balances after it. */
    // The entity of a raw Response, which Quarkus cannot see: registered for the native image.
    @RegisterForReflection
    public record Held(UUID reservationId, String status, String model, long promptTokens, long maxOutputTokens,
            long heldMillicredits, BigDecimal heldCredits, Instant expiresAt, BalanceSnapshot balance) {
    }

    /**
     * A hold settled: the call's cost, what was charged, what was freed, and the balances after it.
     * {@code shortfallMillicredits}: what the cost exceeded the hold by and the account could not
     * cover (recorded, never charged later); 0 when the hold covered the call.
     */
    public record Settled(UUID reservationId, String status, long usageId, long costMillicredits,
            long chargedMillicredits, long shortfallMillicredits, long releasedMillicredits, BalanceSnapshot balance) {
    }

    /** A hold released without a charge. */
    public record Released(UUID reservationId, String status, long releasedMillicredits, BalanceSnapshot balance) {
    }
}
