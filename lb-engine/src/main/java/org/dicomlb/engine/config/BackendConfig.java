package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A backend server of a pool. {@code weight} 0 takes no new connections (a soft drain written in
 * the file); {@code maxConnections} 0 means unlimited; {@code backup} members take traffic only
 * when no primary is eligible.
 */
public record BackendConfig(String name, InetSocketAddress address, int weight, boolean backup, int maxConnections) {
    public static final int MAX_WEIGHT = 1000;

    public BackendConfig {
        Names.check("backend", name);
        Objects.requireNonNull(address, "address");
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 0.." + MAX_WEIGHT);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections must not be negative");
        }
    }
}
