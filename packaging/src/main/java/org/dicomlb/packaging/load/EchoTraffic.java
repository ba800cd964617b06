package org.dicomlb.packaging.load;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.EchoScu;
import org.dicomlb.io.EventLoops;

/**
 * C-ECHO associations through a dicom listener with lb-dicom's non-blocking SCU, a fixed number
 * in flight on one event-loop thread: each one connects, associates, echoes, releases and closes.
 * Bounded in count and time.
 */
public final class EchoTraffic implements AutoCloseable {
    private static final AeTitle CALLING = AeTitle.of("TRAINER");
    private static final AeTitle CALLED = AeTitle.of("ARCHIVE");

    private final EventLoops loops = EventLoops.create(true);
    private final EchoScu scu;

    public EchoTraffic() {
        EventLoops.Group g = loops.group("load", 1);
        this.scu = new EchoScu(g.group(), g.transport().socketChannelClass());
    }

    /** One association; its outcome. */
    public EchoResult once(InetSocketAddress target, Duration timeout) {
        return scu.echo(new EchoRequest(CALLING, CALLED, target, timeout)).join();
    }

    /**
     * Repeats single associations every {@code pause} until one succeeds or {@code deadline}
     * ({@link System#nanoTime()}) passes: the instant a starting dicomlb first serves.
     */
    public Optional<Long> firstSuccess(InetSocketAddress target, long deadline, Duration pause) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            if (once(target, Duration.ofSeconds(2)) instanceof EchoResult.Success) {
                return Optional.of(System.nanoTime());
            }
            Thread.sleep(pause.toMillis());
        }
        return Optional.empty();
    }

    /** What a run did: the completion instant of each success, in order, and the failures by kind. */
    public record Result(long[] successTimes, Map<String, Integer> failures, Optional<String> firstFailure) {
        public Result {
            successTimes = successTimes.clone();
            failures = Map.copyOf(failures);
        }

        public int succeeded() {
            return successTimes.length;
        }

        /** Successes completed at or before {@code instant}. */
        public int succeededBy(long instant) {
            int i = Arrays.binarySearch(successTimes, instant);
            return i >= 0 ? i + 1 : -i - 1;
        }

        public int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * Keeps {@code concurrency} associations in flight until {@code max} have finished or
     * {@code deadline} ({@link System#nanoTime()}) passes; none is started after the deadline.
     */
    public Result run(InetSocketAddress target, int concurrency, int max, long deadline) {
        long[] times = new long[max];
        AtomicInteger started = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        Map<String, Integer> failures = new TreeMap<>();
        String[] first = new String[1];
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger inFlight = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (System.nanoTime() >= deadline || started.get() >= max) {
                if (inFlight.get() == 0) {
                    done.complete(null);
                }
                return;
            }
            started.incrementAndGet();
            inFlight.incrementAndGet();
            scu.echo(new EchoRequest(CALLING, CALLED, target, Duration.ofSeconds(10))).whenComplete((r, e) -> {
                long at = System.nanoTime();
                synchronized (failures) {
                    if (r instanceof EchoResult.Success) {
                        times[succeeded.getAndIncrement()] = at;
                    } else {
                        String kind = e != null ? e.getClass().getSimpleName() : r.getClass().getSimpleName();
                        failures.merge(kind, 1, Integer::sum);
                        if (first[0] == null) {
                            first[0] = e != null ? e.toString() : r.toString();
                        }
                    }
                }
                inFlight.decrementAndGet();
                next[0].run();
            });
        };
        for (int i = 0; i < concurrency; i++) {
            next[0].run();
        }
        try {
            done.get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(15), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("associations did not finish: " + inFlight.get() + " still in flight", e);
        }
        synchronized (failures) {
            long[] ok = Arrays.copyOf(times, succeeded.get());
            Arrays.sort(ok);
            return new Result(ok, failures, Optional.ofNullable(first[0]));
        }
    }

    @Override
    public void close() {
        loops.close();
    }
}
