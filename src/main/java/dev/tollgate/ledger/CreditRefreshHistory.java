package dev.tollgate.ledger;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.tollgate.platform.persistence.IdentityEntity;

/** The record that a user's monthly bucket was refreshed for a period; unique per user and period. */
@Entity
@Table(name = "credit_refresh_history")
public class CreditRefreshHistory extends IdentityEntity {

    @Column(name = "user_id", nullable = false, length = 255)
    public String userId;

    @Column(name = "period_start", nullable = false)
    public Instant periodStart;

    @Column(nullable = false, length = 64)
    public String plan;

    @Column(name = "granted_millicredits", nullable = false)
    public long grantedMillicredits;

    @Column(name = "previous_monthly_millicredits", nullable = false)
    public long previousMonthlyMillicredits;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
