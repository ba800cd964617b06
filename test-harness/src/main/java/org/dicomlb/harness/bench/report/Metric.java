package org.dicomlb.harness.bench.report;

import java.util.Objects;
import java.util.Optional;

/**
 * One number a scenario measures per run, e.g. "requests/s" or "p99 latency".
 *
 * @param key    stable identifier inside the scenario (JSON key)
 * @param label  what the Markdown table calls it
 * @param unit   the unit of every sample, e.g. {@code Gbit/s}, {@code ms}, {@code MiB}
 * @param higherIsBetter direction, for reading ratios
 * @param goal   the target for this number, when it has one
 */
public record Metric(String key, String label, String unit, boolean higherIsBetter, Optional<Goal> goal) {
    public Metric {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(goal, "goal");
    }

    public static Metric higher(String key, String label, String unit) {
        return new Metric(key, label, unit, true, Optional.empty());
    }

    public static Metric lower(String key, String label, String unit) {
        return new Metric(key, label, unit, false, Optional.empty());
    }

    public Metric withGoal(Goal g) {
        return new Metric(key, label, unit, higherIsBetter, Optional.of(g));
    }
}
