package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;

/**
 * Where a backend's addresses come from. Each kind is a record here and an address source in the
 * engine ({@code engine.pool.AddressSources}); adding a kind adds one of each.
 */
public sealed interface BackendAddress permits BackendAddress.Static, BackendAddress.Dns {
    /** How status and logs describe the source: the address itself, or the name resolved. */
    String describe();

    /** One fixed address, written in the file. */
    record Static(InetSocketAddress address) implements BackendAddress {
        public Static {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is not an IP address");
            }
        }

        @Override
        public String describe() {
            return SocketAddresses.format(address);
        }
    }

    /**
     * A hostname re-resolved on a schedule ({@code dns: NAME} and its keys, read by lb-dnsproxy):
     * one endpoint for the first address of the answer, or one per address.
     */
    record Dns(DnsBackendConfig config) implements BackendAddress {
        public Dns {
            Objects.requireNonNull(config, "config");
        }

        @Override
        public String describe() {
            return config.name() + ":" + config.port();
        }
    }
}
