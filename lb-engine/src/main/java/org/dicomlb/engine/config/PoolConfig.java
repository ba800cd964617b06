package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.TcpProbe;
import org.dicomlb.tls.ClientTls;

/**
 * A set of backends and how to spread connections over them.
 *
 * @param retries     how many further backends a connection may try after a failed connect
 *                    before the client sees a failure
 * @param healthCheck the active (and passive) check of every backend; empty means none, and
 *                    backends are then always considered healthy
 * @param slowStart   over how long a backend that comes back (health up, or admin ready) ramps
 *                    from almost no weight to its full weight; zero means at once
 * @param tls         TLS towards every backend of the pool (the handshake is part of trying a backend)
 * @param proxyProtocol every new backend connection starts with a PROXY protocol v2 header naming the
 *                    client and the address it connected to (before TLS, when the pool has both)
 */
public record PoolConfig(String name, Balance balance, int retries, QueueConfig queue, List<BackendConfig> backends,
                         Optional<HealthCheckConfig> healthCheck, Duration slowStart, OnDown onDown, Optional<ClientTls> tls,
                         boolean proxyProtocol) {
    public static final int DEFAULT_RETRIES = 3;
    /** A pool without a health-check key gets this: a TCP connect probe with default timing. */
    public static final HealthCheckConfig DEFAULT_HEALTH_CHECK = HealthCheckConfig.defaults(new TcpProbe());

    /** A pool with the default health check, no slow start, established connections kept on down. */
    public PoolConfig(String name, Balance balance, int retries, QueueConfig queue, List<BackendConfig> backends) {
        this(name, balance, retries, queue, backends, Optional.of(DEFAULT_HEALTH_CHECK), Duration.ZERO, OnDown.KEEP);
    }

    /** A pool whose backends are reached without TLS. */
    public PoolConfig(String name, Balance balance, int retries, QueueConfig queue, List<BackendConfig> backends,
                      Optional<HealthCheckConfig> healthCheck, Duration slowStart, OnDown onDown) {
        this(name, balance, retries, queue, backends, healthCheck, slowStart, onDown, Optional.empty());
    }

    /** A pool without the PROXY protocol. */
    public PoolConfig(String name, Balance balance, int retries, QueueConfig queue, List<BackendConfig> backends,
                      Optional<HealthCheckConfig> healthCheck, Duration slowStart, OnDown onDown, Optional<ClientTls> tls) {
        this(name, balance, retries, queue, backends, healthCheck, slowStart, onDown, tls, false);
    }

    public PoolConfig {
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(onDown, "onDown");
        Objects.requireNonNull(tls, "tls");
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("slow-start must not be negative");
        }
        Names.check("pool", name);
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(queue, "queue");
        backends = List.copyOf(backends);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("pool '" + name + "' has no backends");
        }
        var seen = new HashSet<String>();
        for (BackendConfig b : backends) {
            if (!seen.add(b.name())) {
                throw new IllegalArgumentException("pool '" + name + "' has two backends named '" + b.name() + "'");
            }
        }
    }

    public BackendConfig backend(String backendName) {
        return backends.stream().filter(b -> b.name().equals(backendName)).findFirst().orElse(null);
    }
}
