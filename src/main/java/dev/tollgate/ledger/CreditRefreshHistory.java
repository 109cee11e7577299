package dev.tollgate.ledger;

import java.time.Instant;

import jakarta.persistence.Entity;

import dev.tollgate.platform.persistence.IdentityEntity;

/** The record that a user's monthly bucket was refreshed for a period; unique per user and period. */
@Entity
public class CreditRefreshHistory extends IdentityEntity {

    public String userId;
    public Instant periodStart;
    public String plan;
    public long grantedMillicredits;
    public long previousMonthlyMillicredits;
    public Instant createdAt;
}
