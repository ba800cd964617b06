package org.dicomlb.harness.soak;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a soak measured and how it was judged; written as report.md and report.json.
 *
 * @param verdict          {@code pass} when every check passed, else {@code fail}
 * @param checks           each assertion with what it saw
 * @param settings         the run's size, for the record
 * @param loadSeconds      from the start of the load until the last client stopped
 * @param totalSeconds     the whole soak: start-up, load, checks
 * @param clients          per kind of client (storescu associations, C-ECHO associations, half-close clients, idle connections)
 * @param instances        the storescu instances and where they ended up
 * @param idleFloods       floods the tcp listener took
 * @param faults           faults injected, by kind
 * @param faultProblems    answers of dicomlb to a fault that differ from its documentation
 * @param liveHeap         dicomlb's reachable heap early and late in the load
 * @param machine          cores and load average, which say how busy the shared machine was
 */
public record SoakReport(String verdict, List<Check> checks, Map<String, String> settings, double loadSeconds,
                         double totalSeconds, List<ClientCounts> clients, InstanceCounts instances, long idleFloods,
                         Map<String, Long> faults, List<String> faultProblems, ResourceTrend rss,
                         ResourceTrend descriptors, LiveHeap.Check liveHeap, LogFindings log,
                         Map<String, String> machine) {
    public SoakReport {
        checks = List.copyOf(checks);
        settings = ordered(settings);
        clients = List.copyOf(clients);
        faults = ordered(faults);
        faultProblems = List.copyOf(faultProblems);
        machine = ordered(machine);
    }

    /** An unmodifiable copy that keeps the given order: the report lists things as they were put. */
    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    public boolean passed() {
        return verdict.equals("pass");
    }

    /** One assertion of the soak. */
    public record Check(String name, boolean passed, String detail) {
    }

    /**
     * @param confirmed             instances storescu was told were stored (C-STORE-RSP success)
     * @param found                 of those, found at a storescp backend
     * @param missing               confirmed but at no backend: lost
     * @param missingExamples       the first of them
     * @param unconfirmedAtBackends files at the backends whose C-STORE-RSP storescu never got
     *                              (associations cut by a fault); not a failure
     */
    public record InstanceCounts(long confirmed, long found, long missing, List<String> missingExamples,
                                 long unconfirmedAtBackends) {
        public InstanceCounts {
            missingExamples = List.copyOf(missingExamples);
        }
    }
}
