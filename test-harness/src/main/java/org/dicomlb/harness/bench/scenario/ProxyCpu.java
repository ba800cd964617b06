package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.process.Server;
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

    private final Server proxy;
    private final String ioThreads;
    private final Duration processBefore;
    private final Duration ioBefore;

    private ProxyCpu(Server proxy, String ioThreads) throws IOException {
        this.proxy = proxy;
        this.ioThreads = ioThreads;
        this.processBefore = proxy.cpuTime();
        this.ioBefore = proxy.threadCpuTime(ioThreads);
    }

    /** Starts counting; empty for the direct variant. */
    static Optional<ProxyCpu> start(Via via) throws IOException {
        if (via.proxy().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ProxyCpu(via.proxyProcess(), via.variant() == Variant.DICOMLB ? DICOMLB_IO_THREADS : ""));
    }

    /**
     * The CPU used since {@link #start}, per {@code units} (associations, MiB ...), in
     * {@code unit}s of time, under the keys of {@code process} and {@code io}.
     */
    Map<String, Double> per(double units, Duration unit, Metric process, Metric io) throws IOException {
        double scale = (double) unit.toNanos() * units;
        return Map.of(process.key(), proxy.cpuTime().minus(processBefore).toNanos() / scale,
                io.key(), proxy.threadCpuTime(ioThreads).minus(ioBefore).toNanos() / scale);
    }
}
