package dev.tollgate.ledger;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A user's credit account, read through Panache. Balances change only through {@link Ledger},
 * never by writing this entity.
 */
@Entity
@Table(name = "credit_account")
public class CreditAccount extends PanacheEntityBase {

    @Id
    @Column(name = "user_id", length = 255)
    public String userId;

    @Column(nullable = false, length = 64)
    public String plan;

    @Column(name = "monthly_millicredits", nullable = false)
    public long monthlyMillicredits;

    /** The sum of the grant lots' remainders ({@link GrantLot}). */
    @Column(name = "granted_millicredits", nullable = false)
    public long grantedMillicredits;

    @Column(name = "purchased_millicredits", nullable = false)
    public long purchasedMillicredits;

    @Column(name = "reserved_millicredits", nullable = false)
    public long reservedMillicredits;

    /**
     * The part of {@link #monthlyMillicredits} that is an earlier period's credits, kept at a refresh
     * only to cover holds placed before it; it lapses once those holds are resolved.
     */
    @Column(name = "held_over_millicredits", nullable = false)
    public long heldOverMillicredits;

    /** No later than the earliest expiry of a lot that still holds credits; null: none. */
    @Column(name = "grants_expire_at")
    public Instant grantsExpireAt;

    @Column(name = "period_start", nullable = false)
    public Instant periodStart;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public Balances balances() {
        return new Balances(monthlyMillicredits, grantedMillicredits, purchasedMillicredits, reservedMillicredits);
    }
}
