package dev.tollgate.ledger;

/** The three buckets of an account, in millicredits. */
public record Balances(long monthly, long purchased, long reserved) {

    public Balances {
        if (monthly < 0 || purchased < 0 || reserved < 0 || monthly + purchased - reserved < 0) {
            throw new IllegalStateException("balances out of bounds: " + monthly + "/" + purchased + "/" + reserved);
        }
    }

    /** What the user can still spend: monthly + purchased - reserved, never negative. */
    public long available() {
        return monthly + purchased - reserved;
    }
}
