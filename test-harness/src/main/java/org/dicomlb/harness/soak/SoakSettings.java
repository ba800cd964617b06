package org.dicomlb.harness.soak;

import java.time.Duration;
import java.util.Objects;

/**
 * How big and how long a soak is. Every load loop runs until {@link #duration()} has passed and
 * each of its steps has its own bound, so a run always ends.
 *
 * @param duration          how long the load and the faults run
 * @param storeStreams      storescu loops side by side
 * @param instancesPerAssociation instances each storescu association sends
 * @param echoConcurrency   C-ECHO associations in flight during a storm
 * @param echoBurst         how long one storm lasts ...
 * @param echoPause         ... and the quiet time after it
 * @param idleConnections   connections one idle flood opens on the tcp listener ...
 * @param idleHold          ... holds open ...
 * @param idlePause         ... and the time before the next flood
 * @param halfCloseClients  half-close client loops side by side
 * @param faultPause        quiet time between two faults
 * @param restartDelay      how long a killed storescp stays dead
 * @param drainHold         how long a drained backend stays drained
 * @param sampleInterval    how often dicomlb's RSS and descriptors are read
 */
public record SoakSettings(Duration duration, int storeStreams, int instancesPerAssociation, int echoConcurrency,
                           Duration echoBurst, Duration echoPause, int idleConnections, Duration idleHold,
                           Duration idlePause, int halfCloseClients, Duration faultPause, Duration restartDelay,
                           Duration drainHold, Duration sampleInterval) {
    /** The shortest soak that still fits warm-up, an early and a late window, and every kind of fault. */
    public static final Duration MIN_DURATION = Duration.ofSeconds(30);
    /** A day: beyond that the per-second samples and the report stop being useful. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);

    public SoakSettings {
        Objects.requireNonNull(duration, "duration");
        if (duration.compareTo(MIN_DURATION) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("the soak's duration must be between " + MIN_DURATION.toSeconds() + " s and "
                    + MAX_DURATION.toHours() + " h, not " + duration.toSeconds() + " s");
        }
        range("store streams", storeStreams, 1, 16);
        range("instances per association", instancesPerAssociation, 1, 100);
        range("echo concurrency", echoConcurrency, 1, 64);
        range("idle connections", idleConnections, 1, 5000);
        range("half-close clients", halfCloseClients, 1, 16);
        for (Duration d : new Duration[] {echoBurst, echoPause, idleHold, idlePause, faultPause, restartDelay, drainHold,
                sampleInterval}) {
            Objects.requireNonNull(d, "a duration setting");
            if (d.isNegative() || d.isZero() || d.compareTo(duration) > 0) {
                throw new IllegalArgumentException("every pause and hold must be positive and shorter than the soak, not " + d);
            }
        }
    }

    private static void range(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", not " + v);
        }
    }

    /**
     * The standard mix for a soak of {@code duration}. Runs under three minutes (CI's short form)
     * inject faults more often, so every kind happens at least once.
     */
    public static SoakSettings standard(Duration duration) {
        boolean shortRun = duration.compareTo(Duration.ofMinutes(3)) < 0;
        return new SoakSettings(duration, 2, 4, 6,
                Duration.ofSeconds(3), Duration.ofSeconds(shortRun ? 4 : 7),
                // Short runs hold floods briefly, so the trend windows keep enough readings outside them.
                shortRun ? 200 : 300, Duration.ofSeconds(shortRun ? 2 : 3), Duration.ofSeconds(shortRun ? 8 : 10),
                2,
                Duration.ofSeconds(shortRun ? 4 : 12), Duration.ofSeconds(3), Duration.ofSeconds(3),
                Duration.ofSeconds(1));
    }

    /**
     * Samples before this much of the run are the warm-up (JIT compiling, heap and buffer pools
     * growing) and take no part in the trend: a quarter of the run, at least 10 s, at most 3 min.
     */
    public Duration warmUp() {
        Duration quarter = duration.dividedBy(4);
        Duration min = Duration.ofSeconds(10);
        Duration max = Duration.ofMinutes(3);
        return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
    }
}
