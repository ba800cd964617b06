package org.dicomlb.engine.dicom;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Pool;

/**
 * Meters of dicom listeners (docs/metrics.md). Tags are bounded: listener, pool and backend come
 * from the configuration, result and reason from small enums; an AE title never becomes a tag.
 *
 * <p>Handles are made once per listener, pool, backend and result and kept in the engine's meter
 * scopes ({@link EngineMetrics#shared}): a reload that removes a listener, pool or backend removes
 * the meters tagged with it by reference, and the next association of a backend that replaced it
 * gets fresh ones.
 */
final class DicomMetrics {
    /** Absent pool or backend (rejected before either was chosen). */
    static final String NONE = "none";
    /** Association lifetimes span a C-ECHO (milliseconds) to a whole study (an hour). */
    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1)};

    private final EngineMetrics metrics;

    DicomMetrics(EngineMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * One association ended with {@code outcome} after {@code nanos} from accept.
     *
     * @param poolName the pool it was routed to (null when refused first); {@code pool} is that
     *                 pool when it exists, {@code backend} the backend that took it, else null
     */
    void associationEnded(EngineMetrics.ListenerMeters listener, String poolName, Pool pool, Backend backend,
                          Outcome outcome, long nanos) {
        String p = poolName == null ? NONE : poolName;
        String b = backend == null ? NONE : backend.name();
        EngineMetrics.PoolMeters pm = pool == null ? null : metrics.pool(pool);
        EngineMetrics.BackendMeters bm = backend == null ? null : metrics.backend(backend);
        metrics.shared(listener, pm, bm, "associations " + p + " " + b + " " + outcome.label(),
                r -> Counter.builder("dicomlb.associations")
                        .tags("listener", listener.name(), "pool", p, "backend", b, "result", outcome.label())
                        .description("DICOM associations by how their negotiation came out")
                        .register(r)).increment();
        metrics.shared(listener, pm, null, "association.duration " + p + " " + outcome.label(),
                r -> Timer.builder("dicomlb.association.duration")
                        .tags("listener", listener.name(), "pool", p, "result", outcome.label())
                        .serviceLevelObjectives(DURATION_BUCKETS)
                        .description("DICOM association lifetimes, from accept to close")
                        .register(r)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An A-ASSOCIATE-RJ went to a client; {@code by} is dicomlb or backend. */
    void rejected(EngineMetrics.ListenerMeters listener, String by, AssociateRj rj) {
        String result = rj.result().name().toLowerCase(Locale.ROOT);
        String reason = rj.reason().name().toLowerCase(Locale.ROOT);
        listener.own("association.rejects " + by + " " + result + " " + reason,
                r -> Counter.builder("dicomlb.association.rejects")
                        .tags("listener", listener.name(), "by", by, "result", result, "reason", reason)
                        .description("A-ASSOCIATE-RJ sent to clients, by who decided it and why")
                        .register(r)).increment();
    }
}
