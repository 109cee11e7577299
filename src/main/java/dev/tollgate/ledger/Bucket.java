package dev.tollgate.ledger;

/** Where credits sit: the plan's monthly allowance, or purchased credits that never expire. */
public enum Bucket {
    MONTHLY, PURCHASED
}
