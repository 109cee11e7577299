package dev.tollgate.balance;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When the available credits run out if the account keeps spending at the pace of the last
 * {@link #WINDOW} (net of refunds), and whether that is before the next refresh. Without net
 * spending in the window there is no depletion date.
 *
 * <p>Rounding, once for both numbers, in exact integers: the pace shown is the window's net spend
 * divided by its 7 days, rounded down to a whole millicredit; the depletion instant is computed
 * from the window's spend itself, not from the rounded pace — now plus
 * {@code available × window / spent}, rounded down to a whole second of UTC time — so it is never later than
 * the exact one. A depletion more than {@link #HORIZON} away is no depletion date.
 *
 * @param dailySpendMillicredits the window's net spend per day (0 without spending)
 * @param depletesAt when the available credits run out at that pace; null without spending
 * @param beforeRefresh whether that is before the next refresh
 */
public record DepletionForecast(long dailySpendMillicredits, Instant depletesAt, boolean beforeRefresh) {

    /** The stretch of the past whose pace is projected. */
    public static final Duration WINDOW = Duration.ofDays(7);
    /** Beyond this, a depletion is not forecast. */
    static final Duration HORIZON = Duration.ofDays(100 * 366);
    private static final DepletionForecast NO_SPENDING = new DepletionForecast(0, null, false);

    /**
     * The forecast at {@code now}.
     *
     * @param availableMillicredits the credits available now ({@code Balances.available()}), 0 or more
     * @param netSpentMillicredits what the account spent in the {@link #WINDOW} before now, net of refunds
     * @param nextRefreshAt when the monthly allowance is next refreshed
     */
    public static DepletionForecast project(long availableMillicredits, long netSpentMillicredits, Instant now,
            Instant nextRefreshAt) {
        if (availableMillicredits < 0) {
            throw new IllegalArgumentException("available is never negative: " + availableMillicredits);
        }
        if (netSpentMillicredits <= 0) {
            return NO_SPENDING;
        }
        long daily = netSpentMillicredits / WINDOW.toDays();
        long secondsLeft = BigInteger.valueOf(availableMillicredits).multiply(BigInteger.valueOf(WINDOW.toSeconds()))
                .divide(BigInteger.valueOf(netSpentMillicredits))
                .min(BigInteger.valueOf(HORIZON.toSeconds() + 1)).longValueExact();
        if (secondsLeft > HORIZON.toSeconds()) {
            return new DepletionForecast(daily, null, false);
        }
        Instant depletesAt = now.plusSeconds(secondsLeft).truncatedTo(ChronoUnit.SECONDS);
        return new DepletionForecast(daily, depletesAt, depletesAt.isBefore(nextRefreshAt));
    }

    /** Whether the credits run out more than {@code margin} before {@code nextRefreshAt}. */
    public boolean depletesMoreThanBefore(Duration margin, Instant nextRefreshAt) {
        return depletesAt != null && depletesAt.isBefore(nextRefreshAt.minus(margin));
    }
}
