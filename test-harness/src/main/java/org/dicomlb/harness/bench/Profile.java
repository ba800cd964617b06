package org.dicomlb.harness.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * How big a run is. The full profile fits the whole default run in well under 15 minutes on two
 * cores; the quick one exists so CI exercises every scenario end to end on each submission.
 *
 * @param measure how long one timed measurement lasts (tools that take whole seconds round up)
 * @param warmUp  unrecorded traffic through each variant before the first measurement. dicomlb's
 *                JIT needs seconds of load to reach its steady speed (a fresh JVM relays
 *                short connections 10-50 times slower in its first second), and a
 *                production load balancer runs for weeks, so steady state is what counts.
 */
public record Profile(boolean quick, int repetitions, Duration measure, Duration warmUp) {
    public static Profile full(int repetitions) {
        return new Profile(false, repetitions, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    public static Profile quick(int repetitions) {
        return new Profile(true, repetitions, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    public Profile {
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(warmUp, "warmUp");
        if (repetitions < 1 || repetitions > 50) {
            throw new IllegalArgumentException("repetitions must be 1..50, not " + repetitions);
        }
    }

    public Duration duration(Phase phase) {
        return phase == Phase.WARM_UP ? warmUp : measure;
    }

    /** Picks the quick or the full value of a scenario-specific size. */
    public int pick(int quickValue, int fullValue) {
        return quick ? quickValue : fullValue;
    }
}
