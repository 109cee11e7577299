package dev.tollgate.ledger;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The business meters of the ledger, counted when the transaction that wrote an entry commits, so
 * that an entry rolled back (a replay, a failure later in the same transaction) never counts:
 * {@code tollgate.ledger.entries{operation}}, {@code tollgate.credits.charged{operation=charge|settle}}
 * in millicredits, and {@code tollgate.holds.placed}. (Prometheus counters are doubles: exact up to
 * 2^53 millicredits, about 9 billion credits; the ledger, not the meter, is the record.)
 */
@ApplicationScoped
public class LedgerMeters {

    @Inject
    MeterRegistry meters;

    /** Counts a committed entry (called by {@link CommittedEntries}). */
    void count(LedgerEntry entry) {
        String operation = entry.operation().name().toLowerCase(Locale.ROOT);
        meters.counter("tollgate.ledger.entries", "operation", operation).increment();
        if (entry.operation() == Operation.CHARGE || entry.operation() == Operation.SETTLE) {
            long charged = Math.negateExact(entry.spendableDelta());
            Counter.builder("tollgate.credits.charged")
                    .description("Credits charged for metered calls, when the charge commits")
                    .baseUnit("millicredits")
                    .tag("operation", operation)
                    .register(meters)
                    .increment(charged);
        } else if (entry.operation() == Operation.HOLD) {
            meters.counter("tollgate.holds.placed").increment();
        }
    }
}
