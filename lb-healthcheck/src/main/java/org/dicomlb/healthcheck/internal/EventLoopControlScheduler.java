package org.dicomlb.healthcheck.internal;

import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link ControlScheduler}: one of the checker's own event loops. Running the
 * state machine on the loop that also runs the probes' I/O means a probe's timer, its connect and
 * its result are handled on one thread without a wake-up between threads, which is most of what
 * a probe costs on loopback. The loop is serial, so it is the "one serial executor" for every
 * control-plane change.
 */
public final class EventLoopControlScheduler implements ControlScheduler {
    private static final Logger log = LoggerFactory.getLogger(EventLoopControlScheduler.class);

    private final EventLoop loop;
    private final Clock clock = Clock.systemUTC();

    public EventLoopControlScheduler(EventLoop loop) {
        this.loop = loop;
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
            loop.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // Only after close: a late probe result or passive report has nothing left to update.
            log.debug("health checker closed; dropped a late task");
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            var future = loop.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { };
        }
    }

    @Override
    public void shutdown() {
        // The loop belongs to the checker's event loop group, which the checker shuts down.
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("health checker task failed", e);
            }
        };
    }
}
