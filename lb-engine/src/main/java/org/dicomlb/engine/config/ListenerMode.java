package org.dicomlb.engine.config;

import java.util.List;
import org.dicomlb.config.Cidr;

/**
 * What a listener understands of the bytes it relays, with that mode's own settings. Each mode is
 * a record here and a frontend in the engine (registered in {@code engine.listener.Frontends});
 * adding a mode adds one of each.
 */
public sealed interface ListenerMode permits ListenerMode.Tcp, DicomMode, HttpMode {
    /** The mode as configuration files and logs spell it: {@code tcp}, {@code dicom}, {@code http}. */
    String label();

    /**
     * The application protocols a TLS listener of this mode offers in its handshake (ALPN), in
     * order of preference; empty for none.
     */
    default List<String> applicationProtocols() {
        return List.of();
    }

    /**
     * The upstream proxies whose connections begin with a PROXY protocol header (v1 or v2) naming
     * the real client, which the listener then reads before anything else (TLS included); empty
     * when the listener takes none.
     */
    default List<Cidr> proxyProtocolFrom() {
        return List.of();
    }

    /** Plain TCP relay: pick a backend per connection and copy bytes both ways. */
    record Tcp() implements ListenerMode {
        public static final Tcp INSTANCE = new Tcp();

        @Override
        public String label() {
            return "tcp";
        }
    }
}
