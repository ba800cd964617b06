package org.dicomlb.harness.bench;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.harness.bench.process.Server;

/**
 * One way to the backend for one measurement: the address a client connects to and, for the
 * proxy variants, the proxy process (for its memory, and to notice when it died).
 */
public record Via(Variant variant, InetSocketAddress address, Optional<Server> proxy) {
    public Via {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(proxy, "proxy");
        if (variant.isProxy() != proxy.isPresent()) {
            throw new IllegalArgumentException(variant.label() + (variant.isProxy() ? " needs" : " has no") + " proxy process");
        }
    }

    /** The proxy process; fails for the direct variant. */
    public Server proxyProcess() {
        return proxy.orElseThrow(() -> new IllegalStateException("the direct variant has no proxy process"));
    }
}
