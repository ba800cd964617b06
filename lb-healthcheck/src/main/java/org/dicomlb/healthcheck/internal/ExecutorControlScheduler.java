package org.dicomlb.healthcheck.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production {@link ControlScheduler}: one daemon thread, the system clocks. */
public final class ExecutorControlScheduler implements ControlScheduler {
    private static final Logger log = LoggerFactory.getLogger(ExecutorControlScheduler.class);

    private final ScheduledThreadPoolExecutor executor;
    private final Clock clock = Clock.systemUTC();

    public ExecutorControlScheduler(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        // Every probe schedules a deadline that is almost always cancelled: without this the
        // queue would hold thousands of dead entries until their time came.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // Only after shutdown: a late probe result or passive report has nothing left to update.
            log.debug("health checker closed; dropped a late task");
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            var future = executor.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { };
        }
    }

    @Override
    public void shutdown() {
        executor.shutdown();
    }

    /** Waits (bounded) for the thread to finish the tasks it already has. */
    public boolean awaitTermination(long millis) throws InterruptedException {
        return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    private static Runnable guarded(Runnable task) {
        // The executor would swallow the exception into a future nobody reads; say it instead.
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("health checker task failed", e);
            }
        };
    }
}
