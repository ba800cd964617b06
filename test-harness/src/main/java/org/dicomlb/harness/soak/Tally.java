package org.dicomlb.harness.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one kind of client saw, counted from any thread: attempts that succeeded, those that failed
 * (by a short kind such as {@code rejected}, from a fixed vocabulary) and those that hung, i.e. ran
 * past the outer bound the soak put on them although the client's own timeouts should have ended
 * them first. The first few failures and hangs are kept word for word for the report.
 */
final class Tally {
    private static final int EXAMPLES = 5;

    private final String name;
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder hung = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final List<String> examples = new ArrayList<>();

    Tally(String name) {
        this.name = name;
    }

    void success() {
        succeeded.increment();
    }

    void successes(long n) {
        succeeded.add(n);
    }

    void failure(String kind, String example) {
        failures(kind, 1, example);
    }

    void failures(String kind, long n, String example) {
        if (n > 0) {
            failures.computeIfAbsent(kind, k -> new LongAdder()).add(n);
            example(kind + ": " + example);
        }
    }

    void hang(String example) {
        hangs(1, example);
    }

    void hangs(long n, String example) {
        if (n > 0) {
            hung.add(n);
            example("hung: " + example);
        }
    }

    private void example(String text) {
        synchronized (examples) {
            if (examples.size() < EXAMPLES) {
                examples.add(text.length() > 300 ? text.substring(0, 300) + " ..." : text);
            }
        }
    }

    ClientCounts counts() {
        Map<String, Long> f = new TreeMap<>();
        failures.forEach((k, v) -> f.put(k, v.sum()));
        List<String> ex;
        synchronized (examples) {
            ex = List.copyOf(examples);
        }
        return new ClientCounts(name, succeeded.sum(), f, hung.sum(), ex);
    }
}
