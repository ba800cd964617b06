package org.dicomlb.harness.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.harness.bench.load.EchoLoad;

/**
 * C-ECHO storms through the dicom listener: bursts of back-to-back associations (connect,
 * A-ASSOCIATE, C-ECHO, A-RELEASE, close) with a fixed number in flight, from the benchmark's
 * {@link EchoLoad} on lb-dicom's non-blocking SCU, then a quiet spell, until the deadline. Each
 * association is bounded by {@link #ASSOCIATION_TIMEOUT}; one EchoLoad reports as
 * {@code unfinished} has outlived that bound plus its slack, which is a hang.
 */
final class EchoStorm {
    static final AeTitle CALLING_AE = AeTitle.of("SOAK_ECHO");
    static final Duration ASSOCIATION_TIMEOUT = Duration.ofSeconds(10);
    /** A cap per burst on top of its duration. */
    private static final int MAX_PER_BURST = 100_000;

    private final InetSocketAddress target;
    private final int concurrency;
    private final Duration burst;
    private final Duration pause;
    private final Tally tally;

    EchoStorm(InetSocketAddress target, int concurrency, Duration burst, Duration pause, Tally tally) {
        this.target = target;
        this.concurrency = concurrency;
        this.burst = burst;
        this.pause = pause;
        this.tally = tally;
    }

    void runUntil(long deadline) throws IOException, InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Duration d = Duration.ofNanos(Math.min(left, burst.toNanos()));
            EchoLoad.Result r = EchoLoad.run(target, CALLING_AE, AeTitle.of(SoakConfig.CALLED_AE),
                    new EchoLoad.Settings(concurrency, d, MAX_PER_BURST, ASSOCIATION_TIMEOUT));
            tally.successes(r.succeeded());
            String example = r.firstFailure().orElse("");
            for (Map.Entry<String, Long> f : r.failures().entrySet()) {
                if (f.getKey().equals("unfinished")) {
                    tally.hangs(f.getValue(), "C-ECHO associations still open " + ASSOCIATION_TIMEOUT.toSeconds()
                            + " s and some slack after their start");
                } else {
                    tally.failures(f.getKey(), f.getValue(), example);
                }
            }
            Thread.sleep(Math.max(0, Math.min(pause.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
        }
    }
}
