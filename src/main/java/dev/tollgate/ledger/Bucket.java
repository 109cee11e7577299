package dev.tollgate.ledger;

/**
 * Where credits sit that an admin adjusts: the plan's monthly allowance, or purchased credits that
 * never expire. Granted credits come in lots ({@link Ledger#grantLot}), each with its own expiry.
 */
public enum Bucket {
    MONTHLY, PURCHASED
}
