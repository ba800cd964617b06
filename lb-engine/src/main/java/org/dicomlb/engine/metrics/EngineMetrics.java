package org.dicomlb.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;

/**
 * The engine's meters. Handles are resolved once per listener / backend and kept, so the data
 * path only increments counters (LongAdder-backed) and never looks meters up by tags. Tags are
 * bounded: listener, pool, backend, direction, reason; never a client address.
 *
 * <p>Direction follows the usual load-balancer convention: {@code in} is client to backend,
 * {@code out} is backend to client, for listener and backend meters alike.
 */
public final class EngineMetrics {
    private final MeterRegistry registry;
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<String, BackendMeters> backends = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> poolMeters = new ConcurrentHashMap<>();
    private final Counter reloadOk;
    private final Counter reloadFailed;

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.reloadOk = Counter.builder("dicomlb.config.reloads").tag("result", "success")
                .description("Configuration reloads").register(registry);
        this.reloadFailed = Counter.builder("dicomlb.config.reloads").tag("result", "rejected")
                .description("Configuration reloads").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void reloaded(boolean ok) {
        (ok ? reloadOk : reloadFailed).increment();
    }

    /** Per-listener meters (created on first use, kept until {@link #removeListener}). */
    public ListenerMeters listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerMeters(registry, n));
    }

    public void removeListener(String name) {
        ListenerMeters m = listeners.remove(name);
        if (m != null) {
            m.meters.forEach(registry::remove);
        }
        removeAssociationMeters(id -> name.equals(id.getTag("listener")));
    }

    /**
     * The dicom frontend registers {@code dicomlb.association*} meters per association instead of
     * holding handles; they leave with the listener, pool or backend they are tagged with.
     */
    private void removeAssociationMeters(java.util.function.Predicate<Meter.Id> tagged) {
        registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("dicomlb.association") && tagged.test(m.getId()))
                .toList().forEach(registry::remove);
    }

    /** Per-backend meters for an endpoint; the active gauge reads the endpoint's own counter. */
    public BackendMeters backend(Endpoint e) {
        return backends.computeIfAbsent(e.id(), id -> new BackendMeters(registry, e));
    }

    public void removeBackend(Endpoint e) {
        BackendMeters m = backends.remove(e.id());
        if (m != null) {
            m.meters.forEach(registry::remove);
        }
        removeAssociationMeters(id -> e.pool().name().equals(id.getTag("pool")) && e.name().equals(id.getTag("backend")));
    }

    public void addPool(Pool pool) {
        poolMeters.computeIfAbsent(pool.name(), n -> List.of(
                Gauge.builder("dicomlb.pool.queue.length", pool, Pool::queueLength)
                        .tag("pool", n).description("Connections waiting for a free backend slot").register(registry),
                Gauge.builder("dicomlb.pool.backends.eligible", pool, p -> p.snapshot().eligible().size())
                        .tag("pool", n).description("Backends taking new connections now").register(registry)));
    }

    public void removePool(String name) {
        List<Meter> m = poolMeters.remove(name);
        if (m != null) {
            m.forEach(registry::remove);
        }
        removeAssociationMeters(id -> name.equals(id.getTag("pool")));
    }

    /** Meters of one listener. */
    public static final class ListenerMeters {
        final List<Meter> meters = new ArrayList<>();
        private final MeterRegistry registry;
        private final String listener;
        private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
        public final AtomicInteger active = new AtomicInteger();
        public final Counter accepted;
        public final Counter bytesIn;
        public final Counter bytesOut;
        public final Timer duration;
        private volatile DoubleSupplier queueLength = () -> 0;

        ListenerMeters(MeterRegistry registry, String listener) {
            this.registry = registry;
            this.listener = listener;
            Tags t = Tags.of("listener", listener);
            meters.add(Gauge.builder("dicomlb.listener.connections.active", active, AtomicInteger::get).tags(t)
                    .description("Client connections open now").register(registry));
            accepted = add(Counter.builder("dicomlb.listener.connections").tags(t)
                    .description("Client connections accepted").register(registry));
            bytesIn = add(Counter.builder("dicomlb.listener.bytes").baseUnit("bytes").tags(t).tag("direction", "in")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            bytesOut = add(Counter.builder("dicomlb.listener.bytes").baseUnit("bytes").tags(t).tag("direction", "out")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            duration = add(Timer.builder("dicomlb.listener.connection.duration").tags(t)
                    .description("Lifetime of client connections").register(registry));
            meters.add(Gauge.builder("dicomlb.listener.queue.length", this, m -> m.queueLength.getAsDouble()).tags(t)
                    .description("Clients waiting for the listener to take them (at its max-connections)").register(registry));
        }

        /** Where the queue-length gauge reads from: the listener runtime serving this name now. */
        public void queueLength(DoubleSupplier source) {
            this.queueLength = source;
        }

        /** Connections refused or failed before relaying, by reason (no_backend, queue_full ...). */
        public void rejected(String reason) {
            rejected.computeIfAbsent(reason, r -> add(Counter.builder("dicomlb.listener.rejected")
                    .tags("listener", listener, "reason", r)
                    .description("Client connections that could not be served").register(registry))).increment();
        }

        private <M extends Meter> M add(M m) {
            meters.add(m);
            return m;
        }
    }

    /** Meters of one backend. */
    public static final class BackendMeters {
        final List<Meter> meters = new ArrayList<>();
        private final MeterRegistry registry;
        private final Tags tags;
        private final Map<String, Counter> connectFailures = new ConcurrentHashMap<>();
        public final Counter connections;
        public final Counter bytesIn;
        public final Counter bytesOut;

        BackendMeters(MeterRegistry registry, Endpoint e) {
            this.registry = registry;
            this.tags = Tags.of("pool", e.pool().name(), "backend", e.name());
            gauge("dicomlb.backend.connections.active", e, Endpoint::active, "Connections to this backend open now");
            gauge("dicomlb.backend.eligible", e, x -> x.eligible() ? 1 : 0,
                    "1 when the backend takes new connections (healthy, ready, weight > 0)");
            gauge("dicomlb.backend.weight", e, Endpoint::effectiveWeight, "Weight used for balancing now");
            connections = add(Counter.builder("dicomlb.backend.connections").tags(tags)
                    .description("Connections established to this backend").register(registry));
            bytesIn = add(Counter.builder("dicomlb.backend.bytes").baseUnit("bytes").tags(tags).tag("direction", "in")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            bytesOut = add(Counter.builder("dicomlb.backend.bytes").baseUnit("bytes").tags(tags).tag("direction", "out")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
        }

        /** A failed connect attempt, by reason (refused, timeout, unreachable, reset, other). */
        public void connectFailed(String reason) {
            connectFailures.computeIfAbsent(reason, r -> add(Counter.builder("dicomlb.backend.connect.failures")
                    .tags(tags).tag("reason", r)
                    .description("Failed connect attempts to this backend").register(registry))).increment();
        }

        private void gauge(String name, Endpoint e, ToDoubleFunction<Endpoint> f, String description) {
            meters.add(Gauge.builder(name, e, f).tags(tags).description(description).register(registry));
        }

        private <M extends Meter> M add(M m) {
            meters.add(m);
            return m;
        }
    }
}
