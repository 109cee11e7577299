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
public class CreditReservation extends PanacheEntityBase {

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
}
