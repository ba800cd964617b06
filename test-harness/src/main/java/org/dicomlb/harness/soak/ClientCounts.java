package org.dicomlb.harness.soak;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one kind of client saw over a soak.
 *
 * @param succeeded attempts that did everything they should
 * @param failures  the others by kind; expected around faults, so reported and not judged
 * @param hung      attempts that outlived their outer bound: each one fails the run
 * @param examples  the first few failures and hangs, word for word
 */
public record ClientCounts(String name, long succeeded, Map<String, Long> failures, long hung, List<String> examples) {
    public ClientCounts {
        // Sorted by kind, so reports list them in a stable order.
        failures = Collections.unmodifiableMap(new TreeMap<>(failures));
        examples = List.copyOf(examples);
    }

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public long attempts() {
        return succeeded + failed() + hung;
    }
}
