package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/** One listening socket and what it does with the connections it accepts. */
public record ListenerConfig(
        String name,
        InetSocketAddress bind,
        ListenerMode mode,
        String pool,
        int maxConnections,
        Timeouts timeouts) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public ListenerConfig {
        Names.check("listener", name);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Names.check("pool", pool);
        Objects.requireNonNull(timeouts, "timeouts");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be at least 1");
        }
    }
}
