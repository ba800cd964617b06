package org.dicomlb.harness.bench.report;

import java.util.Objects;
import java.util.Optional;
import org.dicomlb.harness.bench.Variant;

/**
 * One number a scenario measures per run, e.g. "requests/s" or "p99 latency".
 *
 * @param key    stable identifier inside the scenario (JSON key)
 * @param label  what the Markdown table calls it
 * @param unit   the unit of every sample, e.g. {@code Gbit/s}, {@code ms}, {@code MiB}
 * @param higherIsBetter direction, for reading ratios
 * @param goal   the target for this number, when it has one
 * @param proxiesOnly a property of the proxy process (its CPU time, say), so the direct variant
 *                    has no value for it
 */
public record Metric(String key, String label, String unit, boolean higherIsBetter, Optional<Goal> goal, boolean proxiesOnly) {
    public Metric {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(goal, "goal");
    }

    public static Metric higher(String key, String label, String unit) {
        return new Metric(key, label, unit, true, Optional.empty(), false);
    }

    public static Metric lower(String key, String label, String unit) {
        return new Metric(key, label, unit, false, Optional.empty(), false);
    }

    public Metric withGoal(Goal g) {
        return new Metric(key, label, unit, higherIsBetter, Optional.of(g), proxiesOnly);
    }

    /** This metric is measured through the proxies only. */
    public Metric onlyThroughProxies() {
        return new Metric(key, label, unit, higherIsBetter, goal, true);
    }

    /** Whether a measurement through {@code variant} carries this metric. */
    public boolean appliesTo(Variant variant) {
        return !proxiesOnly || variant.isProxy();
    }
}
