package dev.tollgate.balance;

import com.fasterxml.jackson.annotation.JsonValue;

/** How close an account is to running out, for the widget's colours. */
public enum WarningLevel {
    OK, LOW, CRITICAL, EMPTY;

    /** {@code empty} at zero, else {@code critical} or {@code low} at or below their thresholds. */
    public static WarningLevel of(long available, long lowThreshold, long criticalThreshold) {
        if (available <= 0) {
            return EMPTY;
        }
        if (available <= criticalThreshold) {
            return CRITICAL;
        }
        return available <= lowThreshold ? LOW : OK;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }
}
