package org.dicomlb.healthcheck;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.dicomlb.healthcheck.config.HealthCheckConfig;

/**
 * One endpoint to check. {@code id} is opaque to the checker and must be unique within one
 * {@link HealthChecker#update} call; the engine uses {@code pool/backend}, GSLB
 * {@code gslb:name/member}. When it has the form {@code a/b}, metrics tag it {@code pool=a, backend=b}.
 * {@code address} is the backend's own address; the config may redirect probes elsewhere.
 */
public record CheckTarget(String id, InetSocketAddress address, HealthCheckConfig config) {
    public CheckTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a check target needs a non-blank id");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("target " + id + ": address " + address + " is unresolved; give an IP");
        }
    }
}
