package org.dicomlb.harness.bench.load;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.EchoScu;
import org.dicomlb.io.Transport;

/**
 * A closed-loop DICOM association load on lb-dicom's non-blocking {@link EchoScu}: a fixed number
 * of associations in flight, each a whole A-ASSOCIATE, C-ECHO, A-RELEASE on a new connection; when
 * one ends the next starts, until the duration has passed or the count cap is reached, whichever
 * comes first. Associations under way at the deadline finish and count. Association time runs
 * from the connect to the close after the release: what a modality waits for one verification.
 *
 * <p>One event-loop thread drives every association and owns all the bookkeeping, so the
 * generator takes at most one core and needs no locks. (DCMTK's echoscu, which this replaces,
 * cost one process start per association, far more CPU than the association itself.)
 */
public final class EchoLoad {
    /** How much longer than its timeout an association may take before the run gives up on it. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    private EchoLoad() {
    }

    /**
     * @param concurrency        associations in flight at once (1..1000)
     * @param duration           no association starts after this much time
     * @param maxAssociations    nor after this many started (1..1,000,000)
     * @param associationTimeout bound on each association, connect to close
     */
    public record Settings(int concurrency, Duration duration, int maxAssociations, Duration associationTimeout) {
        public Settings {
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(associationTimeout, "associationTimeout");
            if (concurrency < 1 || concurrency > 1000) {
                throw new IllegalArgumentException("concurrency must be 1..1000, not " + concurrency);
            }
            if (maxAssociations < 1 || maxAssociations > 1_000_000) {
                throw new IllegalArgumentException("maxAssociations must be 1..1000000, not " + maxAssociations);
            }
            if (duration.isNegative() || duration.isZero() || associationTimeout.isNegative() || associationTimeout.isZero()) {
                throw new IllegalArgumentException("duration and association timeout must be positive");
            }
        }

        /** The longest a whole run may take: the last association may start just before the deadline. */
        Duration bound() {
            return duration.plus(associationTimeout).plus(SLACK);
        }
    }

    /**
     * @param succeeded       associations whose C-ECHO got status success and that were released
     * @param failures        the others, by {@link EchoResult#label()} ({@code unfinished}: still
     *                        running when the run gave up on them)
     * @param firstFailure    what went wrong first, when anything did
     * @param associationTime nanoseconds per successful association, connect to close
     * @param elapsed         from the first start to the last end
     */
    public record Result(long succeeded, Map<String, Long> failures, Optional<String> firstFailure, Histogram associationTime,
                         Duration elapsed) {
        public Result {
            failures = Map.copyOf(failures);
            Objects.requireNonNull(firstFailure, "firstFailure");
            Objects.requireNonNull(associationTime, "associationTime");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        public double perSecond() {
            return elapsed.isZero() ? 0 : succeeded / (elapsed.toNanos() / 1e9);
        }

        public double percentileMillis(double percentile) {
            return associationTime.getValueAtPercentile(percentile) / 1e6;
        }

        /** For error messages: {@code 3 of 1200 failed (timeout 2, rejected 1); first: ...}. */
        public String describeFailures() {
            StringJoiner kinds = new StringJoiner(", ", " (", ")");
            new TreeMap<>(failures).forEach((k, v) -> kinds.add(k + " " + v));
            return failed() + " of " + (failed() + succeeded) + " associations failed" + kinds
                    + firstFailure.map(f -> "; first: " + f).orElse("");
        }
    }

    /** Runs the load against {@code target} and waits for it; at most {@code settings.bound()} plus a shutdown. */
    public static Result run(InetSocketAddress target, AeTitle callingAe, AeTitle calledAe, Settings settings)
            throws IOException, InterruptedException {
        return run(target, callingAe, calledAe, settings, null);
    }

    /**
     * The same load over TLS: each association first handshakes with the handler {@code tls}
     * makes, on a new connection; a client context that caches sessions resumes them, as a
     * modality's TLS library does.
     */
    public static Result run(InetSocketAddress target, AeTitle callingAe, AeTitle calledAe, Settings settings,
                             java.util.function.BiFunction<io.netty.buffer.ByteBufAllocator, InetSocketAddress,
                                     io.netty.handler.ssl.SslHandler> tls) throws IOException, InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "bench-echo");
        try {
            EventLoop loop = group.next();
            EchoScu scu = new EchoScu(group, transport.socketChannelClass());
            Run run = new Run(tls == null ? scu : scu.withTls(tls),
                    new EchoRequest(callingAe, calledAe, target, settings.associationTimeout()), settings, loop);
            loop.execute(run::begin);
            // Every association ends within its timeout (EchoScu's promise); the slack covers a busy machine.
            run.finished.await(settings.bound().toNanos(), TimeUnit.NANOSECONDS);
            return onLoop(loop, run::result);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static <T> T onLoop(EventLoop loop, Callable<T> task) throws IOException, InterruptedException {
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("C-ECHO load generator failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("C-ECHO load generator's event loop did not answer within 10 s", e);
        }
    }

    /** One run's schedule and tallies; every field is touched on {@link #loop} only. */
    private static final class Run {
        private final EchoScu scu;
        private final EchoRequest request;
        private final Settings settings;
        private final EventLoop loop;
        private final CountDownLatch finished = new CountDownLatch(1);
        private final Histogram associationTime;
        private final Map<String, Long> failures = new TreeMap<>();
        private String firstFailure;
        private long start;
        private long deadline;
        private long lastEnd;
        private int started;
        private int inFlight;
        private long succeeded;

        Run(EchoScu scu, EchoRequest request, Settings settings, EventLoop loop) {
            this.scu = scu;
            this.request = request;
            this.settings = settings;
            this.loop = loop;
            this.associationTime = new Histogram(settings.bound().toNanos(), 3);
        }

        void begin() {
            start = System.nanoTime();
            lastEnd = start;
            deadline = start + settings.duration().toNanos();
            for (int i = 0; i < settings.concurrency(); i++) {
                startNext();
            }
        }

        private void startNext() {
            if (System.nanoTime() - deadline >= 0 || started >= settings.maxAssociations()) {
                if (inFlight == 0) {
                    finished.countDown();
                }
                return;
            }
            started++;
            inFlight++;
            long t0 = System.nanoTime();
            // Async on our loop: the bookkeeping stays on one thread, and a future completed at
            // once (a refused connect) cannot recurse into the next start.
            scu.echo(request).whenCompleteAsync((r, error) -> ended(t0, r, error), loop);
        }

        private void ended(long t0, EchoResult r, Throwable error) {
            long now = System.nanoTime();
            inFlight--;
            lastEnd = now;
            if (error == null && r.isSuccess()) {
                succeeded++;
                associationTime.recordValue(Math.min(now - t0, associationTime.getHighestTrackableValue()));
            } else {
                failures.merge(error == null ? r.label() : "error", 1L, Long::sum);
                if (firstFailure == null) {
                    firstFailure = error == null ? r.toString() : error.toString();
                }
            }
            startNext();
        }

        Result result() {
            Map<String, Long> f = new TreeMap<>(failures);
            if (inFlight > 0) {
                f.merge("unfinished", (long) inFlight, Long::sum);
            }
            long end = inFlight > 0 ? System.nanoTime() : lastEnd;
            return new Result(succeeded, f, Optional.ofNullable(firstFailure), associationTime.copy(), Duration.ofNanos(end - start));
        }
    }
}
