package dev.tollgate.compensation;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.tollgate.platform.persistence.IdentityEntity;

/** A credit movement that could not be applied in line, kept until the batch job applies it. */
@Entity
public class CreditCompensation extends IdentityEntity {

    public enum Kind {
        CHARGE, REFUND
    }

    public enum Status {
        PENDING, APPLIED, FAILED
    }

    public String userId;

    @Enumerated(EnumType.STRING)
    public Kind kind;

    public long amountMillicredits;

    @Enumerated(EnumType.STRING)
    public Status status;

    public int attempts;

    @Column(columnDefinition = "text")
    public String lastError;

    public Instant nextAttemptAt;
    public String idempotencyKey;
    public Long usageId;

    @Column(name = "reservation_id")
    public UUID holdId;

    public String reason;

    /** What the job needs to apply it (JSON), for example the usage of a deferred settle. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String details;

    public Instant createdAt;
    public Instant updatedAt;
}
