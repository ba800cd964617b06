package org.dicomlb.healthcheck.internal;

import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * The checker's one serial context: every task given to {@link #execute} or {@link #schedule}
 * runs on it, one at a time, so the per-target state needs no locks. Also the checker's clock,
 * so that tests can drive time by hand instead of sleeping.
 */
public interface ControlScheduler extends Executor {
    /** Monotonic time for intervals and windows. */
    long nanoTime();

    /** Wall-clock time for the instants users see ({@code since}, event times). */
    Instant now();

    /** Runs {@code task} on the serial context after {@code delayNanos}. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Stops running scheduled tasks; tasks already handed to {@link #execute} may still run. */
    void shutdown();

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
