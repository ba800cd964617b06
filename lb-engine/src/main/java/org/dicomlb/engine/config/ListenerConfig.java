package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.tls.ServerTls;

/**
 * One listening socket and what it does with the connections it accepts.
 *
 * @param pool the pool that serves the listener; for a dicom or http listener the default when no
 *             route matches, and null when it has routes and no default (unrouted associations are
 *             then rejected as called-AE-not-recognized, unrouted requests answered 404)
 * @param mode what the listener understands of the traffic, with that mode's settings
 * @param tls  TLS in front of the mode (accepted connections handshake first)
 * @param sourceLimits what one client address or subnet may open
 * @param source       the source address backends see: the appliance's, or the client's
 *                     (transparent proxying; nat without masquerade; always for dsr)
 */
public record ListenerConfig(
        String name,
        InetSocketAddress bind,
        String pool,
        int maxConnections,
        Timeouts timeouts,
        ListenerMode mode,
        Optional<ServerTls> tls,
        Optional<SourceLimits> sourceLimits,
        SourceAddress source) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public ListenerConfig {
        Names.check("listener", name);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sourceLimits, "sourceLimits");
        Objects.requireNonNull(source, "source");
        if (mode instanceof ListenerMode.Dsr && source != SourceAddress.CLIENT) {
            throw new IllegalArgumentException("a dsr listener's real servers always see the client's address");
        }
        if (mode.inKernel() && (tls.isPresent() || sourceLimits.isPresent())) {
            throw new IllegalArgumentException("mode " + mode.label() + " has no tls and no source-limits: the kernel"
                    + " forwards packets without reading them");
        }
        if (mode instanceof DicomMode d && !d.certificateBindings().isEmpty()
                && !tls.map(ServerTls::asksForClientCertificates).orElse(false)) {
            throw new IllegalArgumentException("certificate-bindings need tls with client certificates (client-ca)");
        }
        boolean routed = mode instanceof DicomMode d ? !d.routes().isEmpty()
                : mode instanceof HttpMode h && !h.routes().isEmpty();
        if (pool != null || !routed) {
            Names.check("pool", pool);
        }
        Objects.requireNonNull(timeouts, "timeouts");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be at least 1");
        }
    }

    /** A listener whose backends see the appliance's address (the client's for dsr, its only way). */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, int maxConnections, Timeouts timeouts,
                          ListenerMode mode, Optional<ServerTls> tls, Optional<SourceLimits> sourceLimits) {
        this(name, bind, pool, maxConnections, timeouts, mode, tls, sourceLimits,
                mode instanceof ListenerMode.Dsr ? SourceAddress.CLIENT : SourceAddress.APPLIANCE);
    }

    /** A listener without TLS and without source limits. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, int maxConnections, Timeouts timeouts,
                          ListenerMode mode) {
        this(name, bind, pool, maxConnections, timeouts, mode, Optional.empty(), Optional.empty());
    }

    /** A plain TCP listener. */
    public static ListenerConfig tcp(String name, InetSocketAddress bind, String pool, int maxConnections, Timeouts timeouts) {
        return new ListenerConfig(name, bind, pool, maxConnections, timeouts, ListenerMode.Tcp.INSTANCE);
    }
}
