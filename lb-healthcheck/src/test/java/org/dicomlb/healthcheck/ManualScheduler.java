package org.dicomlb.healthcheck;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.dicomlb.healthcheck.internal.ControlScheduler;

/**
 * A hand-driven control thread for tests: virtual time moves only in {@link #advance}, and every
 * task runs on the test's thread. Probe results that real sockets deliver from Netty threads wait
 * in a queue until the test runs them ({@link #runUntil}), so a test decides exactly when each
 * probe starts and when its deadline passes, without sleeping.
 */
public final class ManualScheduler implements ControlScheduler {
    public static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");

    private final Object lock = new Object();
    private final PriorityQueue<Timer> timers =
            new PriorityQueue<>(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::seq));
    private final LinkedBlockingQueue<Runnable> ready = new LinkedBlockingQueue<>();
    private long now; // guarded by lock
    private long seq; // guarded by lock

    private record Timer(long due, long seq, Runnable task) {
    }

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return now;
        }
    }

    @Override
    public Instant now() {
        return EPOCH.plusNanos(nanoTime());
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        synchronized (lock) {
            Timer t = new Timer(now + Math.max(0, delayNanos), seq++, task);
            timers.add(t);
            return () -> {
                synchronized (lock) {
                    timers.remove(t);
                }
            };
        }
    }

    @Override
    public void shutdown() {
        synchronized (lock) {
            timers.clear();
        }
    }

    /** Runs the tasks handed over so far. */
    public void runReady() {
        for (Runnable r = ready.poll(); r != null; r = ready.poll()) {
            r.run();
        }
    }

    /** Moves virtual time forward, running each timer at its due time and handed-over tasks in between. */
    public void advance(Duration d) {
        long target;
        synchronized (lock) {
            target = now + d.toNanos();
        }
        runReady();
        while (true) {
            Timer t;
            synchronized (lock) {
                t = timers.peek();
                if (t == null || t.due() > target) {
                    now = target;
                    break;
                }
                timers.poll();
                now = Math.max(now, t.due());
            }
            t.task().run();
            runReady();
        }
        runReady();
    }

    /** Runs handed-over tasks as they arrive until {@code condition} holds; fails after {@code realTime}. */
    public void runUntil(BooleanSupplier condition, Duration realTime) {
        long deadline = System.nanoTime() + realTime.toNanos();
        runReady();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("condition not met within " + realTime);
            }
            Runnable r;
            try {
                r = ready.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (r != null) {
                r.run();
                runReady();
            }
        }
    }

    /** How far ahead each pending timer is, soonest first. */
    public List<Duration> pendingTimers() {
        synchronized (lock) {
            List<Timer> sorted = new ArrayList<>(timers);
            sorted.sort(timers.comparator());
            return sorted.stream().map(t -> Duration.ofNanos(t.due() - now)).toList();
        }
    }
}
