package dev.tollgate.ledger;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A user's credit account, read through Panache. Balances change only through {@link Ledger},
 * never by writing this entity.
 */
@Entity
public class CreditAccount extends PanacheEntityBase {

    @Id
    public String userId;

    public String plan;
    public long monthlyMillicredits;

    /** The sum of the grant lots' remainders ({@link GrantLot}). */
    public long grantedMillicredits;

    public long purchasedMillicredits;
    public long reservedMillicredits;

    /**
     * The part of {@link #monthlyMillicredits} that is an earlier period's credits, kept at a refresh
     * only to cover holds placed before it; it lapses once those holds are resolved.
     */
    public long heldOverMillicredits;

    /** No later than the earliest expiry of a lot that still holds credits; null: none. */
    public Instant grantsExpireAt;

    public Instant periodStart;
    public Instant createdAt;
    public Instant updatedAt;

    public Balances balances() {
        return new Balances(monthlyMillicredits, grantedMillicredits, purchasedMillicredits, reservedMillicredits);
    }
}
