package dev.tollgate.platform.time;

import java.time.Duration;

/** A blocking wait before a retry; an interrupt ends it and the retry with it. */
public final class Pause {

    private Pause() {
    }

    /** Sleeps for {@code pause}; if interrupted, keeps the flag and fails saying what was waited for. */
    public static void sleep(Duration pause, String waitingFor) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting " + waitingFor, e);
        }
    }
}
