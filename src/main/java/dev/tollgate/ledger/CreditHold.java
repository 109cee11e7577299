package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
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

    @Column(name = "user_id", nullable = false, length = 255)
    public String userId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Status status;

    @Column(name = "amount_millicredits", nullable = false)
    public long amountMillicredits;

    @Column(name = "settled_millicredits")
    public Long settledMillicredits;

    @Column(nullable = false, length = 128)
    public String model;

    @Column(name = "idempotency_key", nullable = false, length = 255)
    public String idempotencyKey;

    @Column(name = "request_hash", nullable = false, length = 64)
    public String requestHash;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "resolved_at")
    public Instant resolvedAt;

    /** The counted prompt of the call on hold; null for holds placed before it was recorded. */
    @Column(name = "prompt_tokens")
    public Long promptTokens;

    /** The output budget of the call on hold; null for holds placed before it was recorded. */
    @Column(name = "max_output_tokens")
    public Long maxOutputTokens;

    @Column(name = "character_id", length = 128)
    public String characterId;

    @Column(name = "conversation_id", length = 128)
    public String conversationId;

    /** Tollgate's own call: unresolved at its expiry, the hold is charged, not freed ({@link HeldCall}). */
    @Column(name = "charged_at_expiry", nullable = false)
    public boolean chargedAtExpiry;

    /** The member of a team pool who placed the hold; null on a user's own account. */
    @Column(name = "member_id", length = 255)
    public String memberId;
}
