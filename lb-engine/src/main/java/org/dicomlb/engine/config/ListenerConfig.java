package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listening socket and what it does with the connections it accepts.
 *
 * @param pool the pool that serves the listener; for a dicom listener the default when no route
 *             matches, and null when it has routes and no default (unrouted associations are then
 *             rejected as called-AE-not-recognized)
 * @param mode what the listener understands of the traffic, with that mode's settings
 */
public record ListenerConfig(
        String name,
        InetSocketAddress bind,
        String pool,
        int maxConnections,
        Timeouts timeouts,
        ListenerMode mode) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public ListenerConfig {
        Names.check("listener", name);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        if (pool != null || !(mode instanceof DicomMode d) || d.routes().isEmpty()) {
            Names.check("pool", pool);
        }
        Objects.requireNonNull(timeouts, "timeouts");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be at least 1");
        }
    }

    /** A plain TCP listener. */
    public static ListenerConfig tcp(String name, InetSocketAddress bind, String pool, int maxConnections, Timeouts timeouts) {
        return new ListenerConfig(name, bind, pool, maxConnections, timeouts, ListenerMode.Tcp.INSTANCE);
    }
}
