package org.dicomlb.harness.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When idle floods held their connections open, so that the trend check can leave out samples of
 * dicomlb's RSS and descriptors taken meanwhile: a few hundred open connections are a few hundred
 * descriptors and some buffers that are meant to be there, not a leak. A window stays open for
 * {@link #GRACE} after the flood closed its sockets, the time dicomlb takes to see the FINs and
 * close both sides.
 */
final class FloodWindows {
    static final Duration GRACE = Duration.ofSeconds(1);

    private final List<long[]> windows = new ArrayList<>();

    /** A flood starts opening connections now; returns its index for {@link #closed}. */
    synchronized int opening() {
        windows.add(new long[] {System.nanoTime(), Long.MAX_VALUE});
        return windows.size() - 1;
    }

    /** The flood's connections are closed now. */
    synchronized void closed(int index) {
        windows.get(index)[1] = System.nanoTime() + GRACE.toNanos();
    }

    /** Whether a flood was open at any moment between {@code from} and {@code to} (System.nanoTime()). */
    synchronized boolean touches(long from, long to) {
        for (long[] w : windows) {
            if (w[0] - to <= 0 && w[1] - from >= 0) {
                return true;
            }
        }
        return false;
    }

    synchronized int count() {
        return windows.size();
    }
}
