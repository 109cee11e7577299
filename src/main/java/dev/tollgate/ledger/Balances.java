package dev.tollgate.ledger;

/** The buckets of an account, in millicredits: three spendable ones, and what holds set aside. */
public record Balances(long monthly, long granted, long purchased, long reserved) {

    public Balances {
        if (monthly < 0 || granted < 0 || purchased < 0 || reserved < 0) {
            throw outOfBounds(monthly, granted, purchased, reserved);
        }
        try {
            if (available(monthly, granted, purchased, reserved) < 0) {
                throw outOfBounds(monthly, granted, purchased, reserved);
            }
        } catch (ArithmeticException beyondALong) {
            throw outOfBounds(monthly, granted, purchased, reserved);
        }
    }

    /** An account without granted credits. */
    public Balances(long monthly, long purchased, long reserved) {
        this(monthly, 0, purchased, reserved);
    }

    /** What the user can still spend: monthly + granted + purchased - reserved, never negative. */
    public long available() {
        return available(monthly, granted, purchased, reserved);
    }

    /**
     * Exact, or an {@link ArithmeticException} if the result is beyond a long: reserved is taken
     * first, so that an intermediate sum overflows only when the result does.
     */
    private static long available(long monthly, long granted, long purchased, long reserved) {
        return Math.addExact(Math.addExact(monthly - reserved, granted), purchased);
    }

    private static IllegalStateException outOfBounds(long monthly, long granted, long purchased, long reserved) {
        return new IllegalStateException("balances out of bounds: " + monthly + "/" + granted + "/" + purchased + "/"
                + reserved);
    }
}
