package dev.tollgate.compensation;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.tollgate.platform.persistence.IdentityEntity;

/** A credit movement that could not be applied in line, kept until the batch job applies it. */
@Entity
@Table(name = "credit_compensation")
public class CreditCompensation extends IdentityEntity {

    public enum Kind {
        CHARGE, REFUND
    }

    public enum Status {
        PENDING, APPLIED, FAILED
    }

    @Column(name = "user_id", nullable = false, length = 255)
    public String userId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Kind kind;

    @Column(name = "amount_millicredits", nullable = false)
    public long amountMillicredits;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Status status;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "last_error", columnDefinition = "text")
    public String lastError;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "idempotency_key", nullable = false, length = 255)
    public String idempotencyKey;

    @Column(name = "usage_id")
    public Long usageId;

    @Column(name = "reservation_id")
    public UUID holdId;

    @Column(nullable = false, length = 512)
    public String reason;

    /** What the job needs to apply it (JSON), for example the usage of a deferred settle. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String details;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
