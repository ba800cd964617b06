package org.dicomlb.engine.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A set of backends and how to spread connections over them. {@code retries}: how many further
 * backends a connection may try after a failed connect before the client sees a failure.
 */
public record PoolConfig(String name, Balance balance, int retries, QueueConfig queue, List<BackendConfig> backends) {
    public static final int DEFAULT_RETRIES = 3;

    public PoolConfig {
        Names.check("pool", name);
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(queue, "queue");
        backends = List.copyOf(backends);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("pool '" + name + "' has no backends");
        }
        var seen = new HashSet<String>();
        for (BackendConfig b : backends) {
            if (!seen.add(b.name())) {
                throw new IllegalArgumentException("pool '" + name + "' has two backends named '" + b.name() + "'");
            }
        }
    }

    public BackendConfig backend(String backendName) {
        return backends.stream().filter(b -> b.name().equals(backendName)).findFirst().orElse(null);
    }
}
