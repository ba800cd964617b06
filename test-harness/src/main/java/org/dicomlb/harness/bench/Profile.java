package org.dicomlb.harness.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * How big a run is. The full profile runs the whole default set in about 25 minutes on two
 * cores; the quick one exists so CI exercises every scenario end to end on each submission.
 *
 * @param measure how long one timed measurement lasts (tools that take whole seconds round up)
 * @param warmUp  unrecorded traffic through each variant before the first measurement
 * @param dicomlbWarmUp the same for dicomlb, longer: its JIT needs tens of seconds of load to
 *                reach its steady speed (a fresh JVM relays short connections 10-50 times
 *                slower in its first second, and is still 30-40% short of steady state after
 *                5 s of connection churn), and a production load balancer runs for weeks, so
 *                steady state is what counts. The floors ({@link Variant#floor}), JVMs too, get
 *                the same. HAProxy and direct paths are native and need none.
 */
public record Profile(boolean quick, int repetitions, Duration measure, Duration warmUp, Duration dicomlbWarmUp) {
    public static Profile full(int repetitions) {
        return new Profile(false, repetitions, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20));
    }

    public static Profile quick(int repetitions) {
        return new Profile(true, repetitions, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    public Profile {
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(warmUp, "warmUp");
        Objects.requireNonNull(dicomlbWarmUp, "dicomlbWarmUp");
        if (repetitions < 1 || repetitions > 50) {
            throw new IllegalArgumentException("repetitions must be 1..50, not " + repetitions);
        }
    }

    /** How long a load phase lasts through {@code variant}. */
    public Duration duration(Phase phase, Variant variant) {
        if (phase != Phase.WARM_UP) {
            return measure;
        }
        return variant.isJvm() ? dicomlbWarmUp : warmUp;
    }

    /** Picks the quick or the full value of a scenario-specific size. */
    public int pick(int quickValue, int fullValue) {
        return quick ? quickValue : fullValue;
    }
}
