package org.dicomlb.harness.bench.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.harness.bench.proxy.DicomlbMode;

/**
 * What a scenario asks of both proxies; each proxy's configuration is generated from it, so the
 * two can only differ where their products differ.
 *
 * @param dicomlbMode    the dicomlb listener mode; HAProxy runs {@code mode http} for {@link DicomlbMode#HTTP},
 *                       else {@code mode tcp}
 * @param dicomlbCheck   dicomlb's active health check; HAProxy always checks with a TCP connect
 * @param maxConnections per-listener (dicomlb) / per-frontend (HAProxy) connection limit
 * @param idleTimeout    dicomlb {@code timeouts.idle}; HAProxy {@code timeout client} and {@code timeout server}
 * @param tls            TLS terminated by both proxies (dicomlb {@code tls}, HAProxy {@code bind ... ssl crt})
 * @param checkPort      when present, both proxies' checks probe this port of each backend's address instead of
 *                       the backend's own port (dicomlb {@code health-check.port}, HAProxy {@code check port})
 */
public record Route(DicomlbMode dicomlbMode, DicomlbCheck dicomlbCheck, Balance balance, List<InetSocketAddress> backends,
                    Duration connectTimeout, Duration idleTimeout, int maxConnections, Optional<FrontTls> tls,
                    OptionalInt checkPort) {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int MAX_CONNECTIONS = 20_000;
    /** Both proxies retry a failed backend connect this many times (HAProxy {@code retries}). */
    public static final int RETRIES = 3;

    public Route {
        Objects.requireNonNull(dicomlbMode, "dicomlbMode");
        Objects.requireNonNull(dicomlbCheck, "dicomlbCheck");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(checkPort, "checkPort");
        if (checkPort.isPresent() && (checkPort.getAsInt() < 1 || checkPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("check port must be 1..65535, not " + checkPort.getAsInt());
        }
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one backend");
        }
        for (InetSocketAddress b : backends) {
            if (!b.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("benchmark backends must be on loopback, not " + b);
            }
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive");
        }
    }

    /** A route without TLS. */
    public Route(DicomlbMode dicomlbMode, DicomlbCheck dicomlbCheck, Balance balance, List<InetSocketAddress> backends,
                 Duration connectTimeout, Duration idleTimeout, int maxConnections) {
        this(dicomlbMode, dicomlbCheck, balance, backends, connectTimeout, idleTimeout, maxConnections, Optional.empty(),
                OptionalInt.empty());
    }

    /** The same route with both proxies terminating TLS. */
    public Route withTls(FrontTls t) {
        return new Route(dicomlbMode, dicomlbCheck, balance, backends, connectTimeout, idleTimeout, maxConnections, Optional.of(t),
                checkPort);
    }

    /** The same route with both proxies' checks probing {@code port} on each backend's address. */
    public Route withCheckPort(int port) {
        return new Route(dicomlbMode, dicomlbCheck, balance, backends, connectTimeout, idleTimeout, maxConnections, tls,
                OptionalInt.of(port));
    }

    /** A plain TCP relay to {@code backend} with the harness's standard timeouts, limits and TCP check. */
    public static Route tcp(InetSocketAddress backend) {
        return new Route(DicomlbMode.TCP, new DicomlbCheck.TcpConnect(), Balance.ROUNDROBIN, List.of(backend), CONNECT_TIMEOUT,
                IDLE_TIMEOUT, MAX_CONNECTIONS);
    }

    /** An HTTP route to {@code backend}: both proxies in their HTTP mode, with the standard timeouts, limits and TCP check. */
    public static Route http(InetSocketAddress backend) {
        return new Route(DicomlbMode.HTTP, new DicomlbCheck.TcpConnect(), Balance.ROUNDROBIN, List.of(backend), CONNECT_TIMEOUT,
                IDLE_TIMEOUT, MAX_CONNECTIONS);
    }

    /**
     * A DICOM route to {@code backend}: dicomlb's listener in {@code mode} (the benchmark's
     * {@code --dicom-listener-mode}) and its check a C-ECHO calling {@code calledAe}, whatever the mode,
     * so that switching the mode changes nothing else.
     */
    public static Route dicom(InetSocketAddress backend, DicomlbMode mode, String calledAe) {
        return new Route(mode, new DicomlbCheck.DicomEcho(calledAe), Balance.ROUNDROBIN, List.of(backend), CONNECT_TIMEOUT,
                IDLE_TIMEOUT, MAX_CONNECTIONS);
    }
}
