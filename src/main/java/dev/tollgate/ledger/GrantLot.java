package dev.tollgate.ledger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A lot of granted credits, read through Panache: what was granted, what remains, and until when.
 * Lots change only through {@link Ledger} (see {@link GrantLots}), never by writing this entity.
 */
@Entity
@Table(name = "credit_grant_lot")
public class GrantLot extends PanacheEntityBase {

    @Id
    public UUID id;

    public String userId;

    /** A smaller number is spent first. */
    public int priority;

    public long granted;
    public long remaining;
    public Instant expiresAt;
    public String source;
    public String reason;
    public long entryId;
    public Instant grantedAt;
    public Instant expiredAt;

    /** The lots of an account that still hold credits, in the order they are spent. */
    public static List<GrantLot> spendable(String userId) {
        return list("userId = ?1 and remaining > 0 order by priority, expiresAt, grantedAt, id", userId);
    }
}
