package org.dicomlb.healthcheck.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A pool's (or GSLB member's) {@code health-check:} section.
 *
 * <p>Timing: after a probe finishes, the next starts after a pause of {@code interval} while the
 * endpoint is steadily up, {@code fastInterval} while its state is in doubt (starting, a failure
 * seen while up, a success seen while down) and {@code downInterval} while it is steadily down.
 * Each pause is stretched or shrunk at random by up to {@code spreadPercent} so that endpoints
 * checked together drift apart. Every probe is bounded by {@code timeout}; probes of one endpoint
 * never overlap.
 *
 * @param port    probe this port on the backend's IP instead of the backend's port
 * @param address probe this {@code ip:port} instead of the backend (e.g. a sidecar health port)
 */
public record HealthCheckConfig(ProbeConfig probe, Duration interval, Duration fastInterval, Duration downInterval,
                                Duration timeout, int rise, int fall, int spreadPercent, OptionalInt port,
                                Optional<InetSocketAddress> address, PassiveConfig observe) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAST_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final int DEFAULT_SPREAD_PERCENT = 10;
    public static final int MAX_RISE_FALL = 100;
    public static final int MAX_SPREAD_PERCENT = 50;

    public HealthCheckConfig {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(observe, "observe");
        requirePositive(interval, "interval");
        requirePositive(fastInterval, "fast-interval");
        requirePositive(downInterval, "down-interval");
        requirePositive(timeout, "timeout");
        if (timeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("timeout " + fmt(timeout) + " must be shorter than interval " + fmt(interval));
        }
        if (fastInterval.compareTo(interval) > 0) {
            throw new IllegalArgumentException("fast-interval " + fmt(fastInterval) + " must not be longer than interval " + fmt(interval));
        }
        if (rise < 1 || rise > MAX_RISE_FALL || fall < 1 || fall > MAX_RISE_FALL) {
            throw new IllegalArgumentException("rise and fall must be 1.." + MAX_RISE_FALL);
        }
        if (spreadPercent < 0 || spreadPercent > MAX_SPREAD_PERCENT) {
            throw new IllegalArgumentException("spread must be 0%.." + MAX_SPREAD_PERCENT + "%");
        }
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException("port " + port.getAsInt() + " is out of range 1..65535");
        }
        if (port.isPresent() && address.isPresent()) {
            throw new IllegalArgumentException("give either port or address, not both");
        }
    }

    /** The documented defaults around {@code probe}: 2s / 500ms / 2s, timeout 1s, rise 2, fall 3, spread 10%. */
    public static HealthCheckConfig defaults(ProbeConfig probe) {
        return new HealthCheckConfig(probe, DEFAULT_INTERVAL, DEFAULT_FAST_INTERVAL, DEFAULT_INTERVAL, DEFAULT_TIMEOUT,
                DEFAULT_RISE, DEFAULT_FALL, DEFAULT_SPREAD_PERCENT, OptionalInt.empty(), Optional.empty(), PassiveConfig.DEFAULT);
    }

    public CheckType type() {
        return probe.type();
    }

    /** Where probes for a backend at {@code backend} go, after the port / address overrides. */
    public InetSocketAddress probeAddress(InetSocketAddress backend) {
        if (address.isPresent()) {
            return address.get();
        }
        if (port.isPresent()) {
            return new InetSocketAddress(backend.getAddress(), port.getAsInt());
        }
        return backend;
    }

    public HealthCheckConfig withProbe(ProbeConfig newProbe) {
        return new HealthCheckConfig(newProbe, interval, fastInterval, downInterval, timeout, rise, fall, spreadPercent,
                port, address, observe);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    private static String fmt(Duration d) {
        return org.dicomlb.config.Durations.format(d);
    }
}
