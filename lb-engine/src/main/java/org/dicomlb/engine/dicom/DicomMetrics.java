package org.dicomlb.engine.dicom;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.pdu.AssociateRj;

/**
 * Meters of dicom listeners (docs/metrics.md). Tags are bounded: listener, pool and backend come
 * from the configuration, result and reason from small enums; an AE title never becomes a tag.
 *
 * <p>Meters are looked up in the registry once per association (not per PDU), without a cache
 * of our own: a reload that removes a listener or backend removes its meters from the registry
 * (see EngineMetrics), and a cached handle would then count into a meter nobody scrapes.
 */
final class DicomMetrics {
    /** Absent pool or backend (rejected before either was chosen). */
    static final String NONE = "none";
    /** Association lifetimes span a C-ECHO (milliseconds) to a whole study (an hour). */
    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1)};

    private final MeterRegistry registry;

    DicomMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One association ended with {@code outcome} after {@code nanos} from accept. */
    void associationEnded(String listener, String pool, String backend, Outcome outcome, long nanos) {
        String p = pool == null ? NONE : pool;
        Counter.builder("dicomlb.associations")
                .tags("listener", listener, "pool", p, "backend", backend == null ? NONE : backend, "result", outcome.label())
                .description("DICOM associations by how their negotiation came out")
                .register(registry).increment();
        Timer.builder("dicomlb.association.duration")
                .tags("listener", listener, "pool", p, "result", outcome.label())
                .serviceLevelObjectives(DURATION_BUCKETS)
                .description("DICOM association lifetimes, from accept to close")
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An A-ASSOCIATE-RJ went to a client; {@code by} is dicomlb or backend. */
    void rejected(String listener, String by, AssociateRj rj) {
        Counter.builder("dicomlb.association.rejects")
                .tags("listener", listener, "by", by, "result", rj.result().name().toLowerCase(Locale.ROOT),
                        "reason", rj.reason().name().toLowerCase(Locale.ROOT))
                .description("A-ASSOCIATE-RJ sent to clients, by who decided it and why")
                .register(registry).increment();
    }
}
