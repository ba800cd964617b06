package org.dicomlb.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The garbage collector's metrics, read from the JVM's management beans when Prometheus scrapes.
 *
 * <p>Micrometer's standard GC binder listens to the JVM's notification of every collection. The
 * JVM builds that notification (an open-type composite of every pool's usage before and after)
 * on its notification thread for each collection, and the listener then looks its meters up:
 * about 1 ms of CPU a collection on the reference machine. At full http load dicomlb collects
 * its young generation 20 times a second, so that was 2.4% of a core, 0.6 µs a request
 * (docs/benchmarks.md). The counts and times below are the same numbers, read only when asked.
 */
final class GcMetrics {
    private GcMetrics() {
    }

    static void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // Serial (the launcher's collector) and a young G1 collection stop the application for
            // all of their time, so the time is pause time; keeping Micrometer's name keeps the
            // dashboards that chart it.
            FunctionTimer.builder("jvm.gc.pause", gc, b -> Math.max(0, b.getCollectionCount()),
                            b -> Math.max(0, b.getCollectionTime()), TimeUnit.MILLISECONDS)
                    .tag("gc", gc.getName())
                    .description("collections by this collector and the time they took")
                    .register(registry);
        }
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            FunctionCounter.builder("jvm.gc.memory.allocated", threads,
                            t -> Math.max(0, t.getTotalThreadAllocatedBytes()))
                    .baseUnit("bytes")
                    .description("bytes allocated in the heap since the start, by every thread")
                    .register(registry);
        }
        oldGeneration().ifPresent(old -> {
            Gauge.builder("jvm.gc.live.data.size", old, GcMetrics::liveAfterCollection)
                    .baseUnit("bytes")
                    .description("the old generation's size after its last collection")
                    .register(registry);
            Gauge.builder("jvm.gc.max.data.size", old, p -> p.getUsage().getMax())
                    .baseUnit("bytes")
                    .description("the old generation's largest possible size")
                    .register(registry);
        });
    }

    /** The heap pool objects are promoted into: Serial's "Tenured Gen", "G1 Old Gen", "PS Old Gen" .... */
    static Optional<MemoryPoolMXBean> oldGeneration() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .filter(p -> {
                    String n = p.getName().toLowerCase(Locale.ROOT);
                    return n.contains("old") || n.contains("tenured");
                })
                .findFirst();
    }

    private static double liveAfterCollection(MemoryPoolMXBean old) {
        MemoryUsage after = old.getCollectionUsage();
        return after == null ? Double.NaN : after.getUsed();
    }
}
