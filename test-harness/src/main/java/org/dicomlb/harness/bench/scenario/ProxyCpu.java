package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.NettyHttpFloor;
import org.dicomlb.harness.bench.proxy.NettyRelay;
import org.dicomlb.harness.bench.report.Metric;

/**
 * The proxy's CPU over one measurement, two ways: the whole process (every thread: for dicomlb
 * also JIT compilation, GC, health checks and the access-log writer), and its I/O threads alone,
 * the ones that move the bytes. HAProxy's threads are all I/O threads, so its two figures are the
 * same. Where the whole-process figures differ and the I/O-thread ones do not, the difference is
 * the JVM still compiling or background work, not the relay.
 */
final class ProxyCpu {
    /** Netty event loops of dicomlb's listeners and relays (thread names dicomlb-io-N-M). */
    private static final String DICOMLB_IO_THREADS = "dicomlb-io-";
    /** The direct variant: no proxy, nothing to report. */
    private static final ProxyCpu NONE = new ProxyCpu();

    /** A scenario's two CPU rows: CPU per {@code what} (a connection, a MiB sent ...) in {@code unit}s. */
    record Metrics(Metric process, Metric io, ChronoUnit unit) {
        static Metrics per(String what, ChronoUnit unit) {
            return per(what, unit, "");
        }

        /** The same, for a scenario with more than one pair: {@code keySuffix} keeps the keys apart. */
        static Metrics per(String what, ChronoUnit unit, String keySuffix) {
            String symbol = switch (unit) {
                case MICROS -> "µs";
                case MILLIS -> "ms";
                default -> throw new IllegalArgumentException("CPU is reported in µs or ms, not " + unit);
            };
            return new Metrics(Metric.lower("proxy-cpu" + keySuffix, "proxy CPU per " + what, symbol).onlyThroughProxies(),
                    Metric.lower("proxy-io-cpu" + keySuffix, "proxy I/O-thread CPU per " + what, symbol).onlyThroughProxies(), unit);
        }
    }

    private final Server proxy;
    private final String ioThreads;
    private final Duration processBefore;
    private final Duration ioBefore;

    /** The direct variant's: no process (fields null), {@link #per} reports nothing. */
    private ProxyCpu() {
        this.proxy = null;
        this.ioThreads = null;
        this.processBefore = null;
        this.ioBefore = null;
    }

    private ProxyCpu(Server proxy, String ioThreads) throws IOException {
        this.proxy = proxy;
        this.ioThreads = ioThreads;
        this.processBefore = proxy.cpuTime();
        this.ioBefore = proxy.threadCpuTime(ioThreads);
    }

    /** Starts counting; for the direct variant a count that reports nothing. */
    static ProxyCpu start(Via via) throws IOException {
        if (via.proxy().isEmpty()) {
            return NONE;
        }
        String ioThreads = switch (via.variant()) {
            case DICOMLB -> DICOMLB_IO_THREADS;
            case NETTY_RELAY -> NettyRelay.IO_THREADS;
            case NETTY_HTTP -> NettyHttpFloor.IO_THREADS;
            default -> "";
        };
        return new ProxyCpu(via.proxyProcess(), ioThreads);
    }

    /** The CPU used since {@link #start} per one of {@code units}, under the keys of {@code m}; empty for direct. */
    Map<String, Double> per(double units, Metrics m) throws IOException {
        if (proxy == null) {
            return Map.of();
        }
        double scale = m.unit().getDuration().toNanos() * units;
        return Map.of(m.process().key(), proxy.cpuTime().minus(processBefore).toNanos() / scale,
                m.io().key(), proxy.threadCpuTime(ioThreads).minus(ioBefore).toNanos() / scale);
    }
}
