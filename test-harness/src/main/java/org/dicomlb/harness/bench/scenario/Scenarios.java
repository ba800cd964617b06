package org.dicomlb.harness.bench.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.proxy.DicomlbMode;

/** The registry: every scenario the harness can run, in the order a full run takes them. */
public final class Scenarios {
    private Scenarios() {
    }

    public static List<Scenario> all() {
        return List.of(
                new L4Throughput(1),
                new L4Throughput(8),
                new L4ConnectionRate(),
                new HttpKeepAlive(DicomlbMode.TCP),
                new HttpAddedLatency(DicomlbMode.TCP),
                new HttpKeepAlive(DicomlbMode.HTTP),
                new HttpAddedLatency(DicomlbMode.HTTP),
                new HttpsHandshakes(),
                new IdleMemory(),
                new DicomStore(),
                new DicomAssociationRate(),
                new DicomWarmUp(),
                new DicomTls(),
                new GslbDns());
    }

    /** The scenarios named in {@code names}, in registry order; an unknown name is an error listing the known ones. */
    public static List<Scenario> select(List<String> names) {
        Map<String, Scenario> byName = new LinkedHashMap<>();
        all().forEach(s -> byName.put(s.name(), s));
        List<String> unknown = new ArrayList<>(names);
        unknown.removeAll(byName.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown scenario(s) " + unknown + "; known: " + String.join(", ", byName.keySet()));
        }
        return names.isEmpty() ? all() : byName.values().stream().filter(s -> names.contains(s.name())).toList();
    }
}
