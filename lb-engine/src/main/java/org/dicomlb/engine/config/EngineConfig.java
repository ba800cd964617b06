package org.dicomlb.engine.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Everything the engine runs from: one immutable snapshot of the file's engine sections. */
public record EngineConfig(Optional<AdminConfig> admin, List<ListenerConfig> listeners, List<PoolConfig> pools) {
    public EngineConfig {
        Objects.requireNonNull(admin, "admin");
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
