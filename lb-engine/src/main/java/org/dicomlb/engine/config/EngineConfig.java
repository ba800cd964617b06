package org.dicomlb.engine.config;

import java.util.List;
import java.util.Optional;

/**
 * Everything the engine runs from: one immutable snapshot of the file's {@code listeners} and
 * {@code pools}. Both may be empty when the appliance runs other parts alone (a GSLB only).
 */
public record EngineConfig(List<ListenerConfig> listeners, List<PoolConfig> pools) {
    public static final EngineConfig EMPTY = new EngineConfig(List.of(), List.of());

    public EngineConfig {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    public Optional<PoolConfig> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }
}
