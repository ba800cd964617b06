package org.dicomlb.harness.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole run: where and how it was measured, and every scenario's result.
 *
 * @param settings what was varied for this run (profile, threads, dicomlb options), in display order
 */
public record Report(Machine machine, Map<String, String> settings, double seconds, List<ScenarioResult> scenarios) {
    public Report {
        Objects.requireNonNull(machine, "machine");
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        scenarios = List.copyOf(scenarios);
    }

    public boolean anyFailed() {
        return scenarios.stream().anyMatch(s -> s.failure().isPresent());
    }
}
