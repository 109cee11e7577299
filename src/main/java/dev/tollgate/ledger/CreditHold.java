package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A hold on credits for a call in flight; it resolves at most once. Written only by {@link Ledger}. */
@Entity
@Table(name = "credit_reservation")
public class CreditHold extends PanacheEntityBase {

    public enum Status {
        HELD, SETTLED, RELEASED, EXPIRED
    }

    @Id
    public UUID id;

    public String userId;

    @Enumerated(EnumType.STRING)
    public Status status;

    public long amountMillicredits;
    public Long settledMillicredits;
    public String model;
    public String idempotencyKey;
    public String requestHash;
    public Instant expiresAt;
    public Instant createdAt;
    public Instant resolvedAt;

    /** The counted prompt of the call on hold; null for holds placed before it was recorded. */
    public Long promptTokens;

    /** The output budget of the call on hold; null for holds placed before it was recorded. */
    public Long maxOutputTokens;

    public String characterId;
    public String conversationId;

    /** Tollgate's own call: unresolved at its expiry, the hold is charged, not freed ({@link HeldCall}). */
    public boolean chargedAtExpiry;

    /** The member of a team pool who placed the hold; null on a user's own account. */
    public String memberId;
}
