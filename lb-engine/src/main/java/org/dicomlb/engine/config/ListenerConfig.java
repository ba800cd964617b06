package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listening socket and what it does with the connections it accepts.
 *
 * @param pool  the pool that serves the listener; for a dicom listener the default when no route
 *              matches, and null when it has routes and no default (unrouted associations are
 *              then rejected as called-AE-not-recognized)
 * @param dicom the dicom mode's settings ({@link DicomListenerConfig#DEFAULTS} for other modes)
 */
public record ListenerConfig(
        String name,
        InetSocketAddress bind,
        ListenerMode mode,
        String pool,
        int maxConnections,
        Timeouts timeouts,
        DicomListenerConfig dicom) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public ListenerConfig {
        Names.check("listener", name);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(dicom, "dicom");
        if (pool != null || mode != ListenerMode.DICOM || dicom.routes().isEmpty()) {
            Names.check("pool", pool);
        }
        Objects.requireNonNull(timeouts, "timeouts");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be at least 1");
        }
    }

    /** A listener without dicom settings. */
    public ListenerConfig(String name, InetSocketAddress bind, ListenerMode mode, String pool, int maxConnections,
                          Timeouts timeouts) {
        this(name, bind, mode, pool, maxConnections, timeouts, DicomListenerConfig.DEFAULTS);
    }
}
