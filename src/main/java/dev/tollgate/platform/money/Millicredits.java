package dev.tollgate.platform.money;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An amount of credits in the smallest unit: 1 credit = 1,000 millicredits. Amounts are whole
 * numbers so that balances add up exactly; only prices are decimals, and {@link #roundUp} is the
 * one place where a decimal amount becomes an integer one.
 */
public record Millicredits(long value) implements Comparable<Millicredits> {

    public static final long PER_CREDIT = 1_000L;
    public static final Millicredits ZERO = new Millicredits(0);

    public static Millicredits of(long value) {
        return new Millicredits(value);
    }

    /**
     * The rounding rule of Tollgate, written down once: an exact decimal amount of credits is
     * rounded <em>up</em> to the next whole millicredit, so that a charge is never below the
     * exact price and never more than one millicredit above it.
     */
    public static Millicredits roundUp(BigDecimal credits) {
        if (credits.signum() < 0) {
            throw new IllegalArgumentException("a price is never negative: " + credits);
        }
        return new Millicredits(credits.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
    }

    public Millicredits plus(Millicredits other) {
        return new Millicredits(Math.addExact(value, other.value));
    }

    public Millicredits minus(Millicredits other) {
        return new Millicredits(Math.subtractExact(value, other.value));
    }

    public Millicredits negate() {
        return new Millicredits(Math.negateExact(value));
    }

    public boolean isPositive() {
        return value > 0;
    }

    public boolean isNegative() {
        return value < 0;
    }

    /** The amount as credits with three decimals, the form users see. */
    public BigDecimal credits() {
        return BigDecimal.valueOf(value, 3);
    }

    @Override
    public int compareTo(Millicredits other) {
        return Long.compare(value, other.value);
    }
}
