package dev.tollgate.provider;

import io.vertx.core.Vertx;

/**
 * Fires once when nothing happened for a given time. Activity only records a timestamp (no timer is
 * re-armed per chunk); one timer checks the deadline and re-arms itself for the rest. While the
 * reader is paused because its consumer is slow, silence is ours, not the upstream's, and does not count.
 */
final class IdleTimer {

    private final Vertx vertx;
    private final long timeoutMillis;
    private final Runnable onIdle;
    private volatile long lastActivityNanos;
    private volatile boolean paused;
    private volatile boolean stopped;
    private volatile long timerId = -1;

    IdleTimer(Vertx vertx, long timeoutMillis, Runnable onIdle) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, timeoutMillis);
        this.onIdle = onIdle;
    }

    void start() {
        touch();
        schedule(timeoutMillis);
    }

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /** The consumer stopped asking for data: silence from now on is not the upstream's. */
    void pause() {
        paused = true;
    }

    void resume() {
        touch();
        paused = false;
    }

    void stop() {
        stopped = true;
        long id = timerId;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    private void schedule(long delayMillis) {
        if (!stopped) {
            timerId = vertx.setTimer(Math.max(1, delayMillis), id -> check());
        }
    }

    private void check() {
        if (stopped) {
            return;
        }
        if (paused) {
            schedule(timeoutMillis);
            return;
        }
        long silentMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
        if (silentMillis >= timeoutMillis) {
            stopped = true;
            onIdle.run();
        } else {
            schedule(timeoutMillis - silentMillis);
        }
    }
}
