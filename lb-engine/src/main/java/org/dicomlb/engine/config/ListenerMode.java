package org.dicomlb.engine.config;

import java.util.List;
import java.util.Objects;
import org.dicomlb.config.Cidr;

/**
 * What a listener understands of the bytes it relays, with that mode's own settings. Each mode is
 * a record here and a frontend in the engine (registered in {@code engine.listener.Frontends});
 * adding a mode adds one of each. The modes the kernel serves ({@link #inKernel}) have no frontend:
 * the engine binds no socket for them, and the composition root hands them to lb-l4.
 */
public sealed interface ListenerMode permits ListenerMode.Tcp, DicomMode, HttpMode, ListenerMode.Dsr, ListenerMode.Nat {
    /** The mode as configuration files and logs spell it: {@code tcp}, {@code dicom}, {@code http}, {@code dsr}, {@code nat}. */
    String label();

    /**
     * True for modes nftables serves (dsr, nat): no listening socket, no relay, no access-log line
     * (the kernel sees packets, not connections); the pools and their health checks are the same.
     */
    default boolean inKernel() {
        return false;
    }

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

    /**
     * Direct server return: frames for the VIP:port are forwarded to a real server on the same
     * segment with their destination MAC rewritten; the real server answers the client itself.
     *
     * @param interfaceName the interface the VIP's frames arrive on, on the real servers' segment
     */
    record Dsr(String interfaceName) implements ListenerMode {
        public Dsr {
            Objects.requireNonNull(interfaceName, "interfaceName");
            if (interfaceName.isBlank()) {
                throw new IllegalArgumentException("dsr needs an interface");
            }
        }

        @Override
        public String label() {
            return "dsr";
        }

        @Override
        public boolean inKernel() {
            return true;
        }
    }

    /** Kernel destination NAT with conntrack, for real servers routed beyond the appliance. */
    record Nat() implements ListenerMode {
        public static final Nat INSTANCE = new Nat();

        @Override
        public String label() {
            return "nat";
        }

        @Override
        public boolean inKernel() {
            return true;
        }
    }
}
