package org.dicomlb.l4.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The kernel listeners' meters: {@code dicomlb.l4.packets} and {@code dicomlb.l4.bytes} per
 * listener and backend (from the nft counters), {@code dicomlb.l4.forwarding} (backends taking new
 * flows) per listener, {@code dicomlb.l4.transactions} by result. Tags are names from the file
 * only. Meters of a listener or backend that left are removed.
 */
public final class L4Meters {
    private final MeterRegistry registry;
    private final Counter applied;
    private final Counter failed;
    /** Summed counter values by meter key; written by the runtime's thread, read by scrapes. */
    private final Map<Key, long[]> totals = new ConcurrentHashMap<>();
    private final Map<Key, List<Meter>> backendMeters = new HashMap<>();
    private final Map<String, Integer> forwarding = new ConcurrentHashMap<>();
    private final Map<String, Meter> forwardingMeters = new HashMap<>();

    private record Key(String listener, String mode, String pool, String backend) {
    }

    public L4Meters(MeterRegistry registry) {
        this.registry = registry;
        this.applied = Counter.builder("dicomlb.l4.transactions").tag("result", "applied")
                .description("nft transactions that changed the kernel listeners' rules").register(registry);
        this.failed = Counter.builder("dicomlb.l4.transactions").tag("result", "failed")
                .description("nft transactions that nft or the kernel refused").register(registry);
    }

    public void transaction(boolean ok) {
        (ok ? applied : failed).increment();
    }

    /** The counters now, by the counter objects' owners. Runtime thread only. */
    public void counters(Map<String, Ruleset.CounterRef> refs, Map<String, Counters.Value> values) {
        Map<Key, long[]> next = new HashMap<>();
        for (var e : refs.entrySet()) {
            Ruleset.CounterRef r = e.getValue();
            Key k = new Key(r.listener(), r.kind().label(), r.pool(), r.backend());
            Counters.Value v = values.getOrDefault(e.getKey(), Counters.Value.ZERO);
            long[] t = next.computeIfAbsent(k, x -> new long[2]);
            t[0] += v.packets();
            t[1] += v.bytes();
        }
        Set<Key> gone = new HashSet<>(backendMeters.keySet());
        gone.removeAll(next.keySet());
        for (Key k : gone) {
            backendMeters.remove(k).forEach(registry::remove);
            totals.remove(k);
        }
        totals.putAll(next);
        for (Key k : next.keySet()) {
            backendMeters.computeIfAbsent(k, this::register);
        }
    }

    private List<Meter> register(Key k) {
        ToDoubleFunction<Map<Key, long[]>> packets = m -> m.getOrDefault(k, new long[2])[0];
        ToDoubleFunction<Map<Key, long[]>> bytes = m -> m.getOrDefault(k, new long[2])[1];
        return List.of(
                FunctionCounter.builder("dicomlb.l4.packets", totals, packets).tag("listener", k.listener())
                        .tag("mode", k.mode()).tag("pool", k.pool()).tag("backend", k.backend())
                        .description("Packets the kernel sent to the backend for a dsr or nat listener (nat: both directions)")
                        .register(registry),
                FunctionCounter.builder("dicomlb.l4.bytes", totals, bytes).tag("listener", k.listener())
                        .tag("mode", k.mode()).tag("pool", k.pool()).tag("backend", k.backend()).baseUnit("bytes")
                        .description("Bytes the kernel sent to the backend for a dsr or nat listener (nat: both directions)")
                        .register(registry));
    }

    /** Backends taking new flows, per listener; listeners not given lose their gauge. Runtime thread only. */
    public void forwarding(Map<String, Integer> byListener) {
        for (String gone : Set.copyOf(forwardingMeters.keySet())) {
            if (!byListener.containsKey(gone)) {
                registry.remove(forwardingMeters.remove(gone));
                forwarding.remove(gone);
            }
        }
        forwarding.putAll(byListener);
        for (String l : byListener.keySet()) {
            forwardingMeters.computeIfAbsent(l, name -> Gauge.builder("dicomlb.l4.forwarding", forwarding,
                            m -> m.getOrDefault(name, 0)).tag("listener", name)
                    .description("Backends of a dsr or nat listener taking new flows").register(registry));
        }
    }

    /** Removes every per-listener meter (the transaction counters stay). */
    public void clear() {
        counters(Map.of(), Map.of());
        forwarding(Map.of());
    }
}
