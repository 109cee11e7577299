package dev.tollgate.ledger;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

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
@Table(name = "credit_audit_log")
public class CreditAuditLog extends IdentityEntity {

    /** {@code null} on an {@link AdminAction} row, which belongs to no account. */
    @Column(name = "user_id", length = 255)
    public String userId;

    /** The {@link Operation}, or the {@link AdminAction} of a row without an account. */
    @Column(nullable = false, length = 16)
    public String operation;

    @Column(name = "monthly_delta", nullable = false)
    public long monthlyDelta;

    @Column(name = "granted_delta", nullable = false)
    public long grantedDelta;

    @Column(name = "purchased_delta", nullable = false)
    public long purchasedDelta;

    @Column(name = "reserved_delta", nullable = false)
    public long reservedDelta;

    @Column(name = "monthly_after")
    public Long monthlyAfter;

    @Column(name = "granted_after")
    public Long grantedAfter;

    @Column(name = "purchased_after")
    public Long purchasedAfter;

    @Column(name = "reserved_after")
    public Long reservedAfter;

    @Column(name = "idempotency_key", length = 255)
    public String idempotencyKey;

    @Column(name = "request_hash", length = 64)
    public String requestHash;

    @Column(name = "usage_id")
    public Long usageId;

    @Column(name = "reservation_id")
    public UUID holdId;

    @Column(nullable = false, length = 255)
    public String actor;

    @Column(name = "client_ip", length = 64)
    public String clientIp;

    @Column(name = "user_agent", length = 512)
    public String userAgent;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String metadata;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
