package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.tollgate.platform.persistence.IdentityEntity;

/**
 * One row of the append-only ledger, read through Panache; written only by {@link Ledger} (balance
 * changes of an account) and {@link AdminActionLog} (admin actions that move no credits: no
 * account, no balances).
 */
@Entity
@Immutable
public class CreditAuditLog extends IdentityEntity {

    /** {@code null} on an {@link AdminAction} row, which belongs to no account. */
    public String userId;

    /** The {@link Operation}, or the {@link AdminAction} of a row without an account. */
    public String operation;

    public long monthlyDelta;
    public long grantedDelta;
    public long purchasedDelta;
    public long reservedDelta;
    public Long monthlyAfter;
    public Long grantedAfter;
    public Long purchasedAfter;
    public Long reservedAfter;
    public String idempotencyKey;
    public String requestHash;
    public Long usageId;

    @Column(name = "reservation_id")
    public UUID holdId;

    public String actor;
    public String clientIp;
    public String userAgent;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String metadata;

    public Instant createdAt;
}
