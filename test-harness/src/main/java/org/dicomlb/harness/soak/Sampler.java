package org.dicomlb.harness.soak;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.harness.bench.process.Server;

/**
 * Reads dicomlb's resident memory and open descriptors from /proc every {@code interval} while the
 * load runs, and notes whether an idle flood was open since the previous reading.
 */
final class Sampler {
    private final Server dicomlb;
    private final FloodWindows floods;
    private final Duration interval;
    private final List<Sample> samples = new ArrayList<>();
    private volatile String stoppedBecause = "";

    Sampler(Server dicomlb, FloodWindows floods, Duration interval) {
        this.dicomlb = dicomlb;
        this.floods = floods;
        this.interval = interval;
    }

    /** Samples from {@code start} until {@code deadline} (System.nanoTime()), or until dicomlb is gone. */
    void runUntil(long start, long deadline) throws InterruptedException {
        long previous = start;
        long next = start;
        while (next - deadline <= 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long now = System.nanoTime();
            try {
                long rss = dicomlb.residentKib();
                int fds = dicomlb.openDescriptors();
                synchronized (samples) {
                    samples.add(new Sample((now - start) / 1e9, rss, fds, floods.touches(previous, System.nanoTime())));
                }
            } catch (IOException e) {
                stoppedBecause = e.getMessage();
                return;
            }
            previous = now;
            // A sampler that fell behind (a loaded machine) skips readings instead of bunching them.
            next = Math.max(next + interval.toNanos(), System.nanoTime());
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Why sampling stopped early (dicomlb died), empty when it did not. */
    String stoppedBecause() {
        return stoppedBecause;
    }
}
