package org.dicomlb.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Pool;

/**
 * The engine's meters. Handles are resolved once per listener, pool and backend and kept, so the
 * data path only increments counters (LongAdder-backed) and never looks meters up by tags. Tags
 * are bounded: listener, pool, backend, direction, reason; never a client address.
 *
 * <p>Meters live in a {@link Scope} per listener, pool and backend and leave the registry with
 * it, by reference: a meter tagged with a listener and a backend (a protocol's per-association
 * counter, see {@link #shared}) is removed with whichever of the two goes first, and a handle to
 * it is never handed out again afterwards.
 *
 * <p>Direction follows the usual load-balancer convention: {@code in} is client to backend,
 * {@code out} is backend to client, for listener and backend meters alike.
 */
public final class EngineMetrics {
    private final MeterRegistry registry;
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<Backend, BackendMeters> backends = new ConcurrentHashMap<>();
    private final Map<Pool, PoolMeters> pools = new ConcurrentHashMap<>();
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

    /** The meters of one listener, pool or backend; removed from the registry together. */
    public abstract static class Scope {
        final MeterRegistry registry;
        final List<Meter> meters = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Scope(MeterRegistry registry) {
            this.registry = registry;
        }

        <M extends Meter> M add(M m) {
            meters.add(m);
            return m;
        }

        void close() {
            closed = true;
            meters.forEach(registry::remove);
            meters.clear();
        }
    }

    /**
     * A meter tagged with a listener and, when known, a pool and a backend, made by {@code make} on
     * first use and cached in the listener's scope under {@code key} (which names everything the
     * meter's tags hold besides those three). It leaves the registry with the first of its scopes
     * to go; a later call for a pool or backend that went makes a new meter for the one that
     * replaced it.
     */
    public <M extends Meter> M shared(ListenerMeters listener, PoolMeters pool, BackendMeters backend, String key,
                                      Function<MeterRegistry, M> make) {
        SharedKey k = new SharedKey(pool, backend, key);
        @SuppressWarnings("unchecked")
        M m = (M) listener.shared.computeIfAbsent(k, x -> {
            M made = make.apply(registry);
            listener.add(made);
            if (pool != null) {
                pool.add(made);
            }
            if (backend != null) {
                backend.add(made);
            }
            return made;
        });
        return m;
    }

    /**
     * The meter {@link #shared} made for these scopes and {@code key}, or null if none is there
     * yet. For callers on the request path: looking up first spares them making the capturing
     * {@code make} function on every call.
     */
    public <M extends Meter> M findShared(ListenerMeters listener, PoolMeters pool, BackendMeters backend, String key) {
        @SuppressWarnings("unchecked")
        M m = (M) listener.shared.get(new SharedKey(pool, backend, key));
        return m;
    }

    private record SharedKey(PoolMeters pool, BackendMeters backend, String key) {
    }

    /** Per-listener meters (created on first use, kept until {@link #removeListener}). */
    public ListenerMeters listener(String name) {
        ListenerMeters m = listeners.get(name);
        return m != null ? m : listeners.computeIfAbsent(name, n -> new ListenerMeters(registry, n));
    }

    public void removeListener(String name) {
        ListenerMeters m = listeners.remove(name);
        if (m != null) {
            m.shared.clear();
            m.close();
        }
    }

    /** The meters of a backend; the gauges read the backend itself. */
    public BackendMeters backend(Backend b) {
        BackendMeters m = backends.get(b);
        return m != null ? m : backends.computeIfAbsent(b, x -> new BackendMeters(registry, x));
    }

    public void removeBackend(Backend b) {
        BackendMeters m = backends.remove(b);
        if (m != null) {
            forgetShared(k -> k.backend() == m);
            m.close();
        }
    }

    public PoolMeters pool(Pool p) {
        PoolMeters m = pools.get(p);
        return m != null ? m : pools.computeIfAbsent(p, x -> new PoolMeters(registry, x));
    }

    public void removePool(Pool p) {
        PoolMeters m = pools.remove(p);
        if (m != null) {
            forgetShared(k -> k.pool() == m);
            m.close();
        }
    }

    private void forgetShared(java.util.function.Predicate<SharedKey> which) {
        for (ListenerMeters l : listeners.values()) {
            l.shared.keySet().removeIf(k -> k instanceof SharedKey s && which.test(s));
        }
    }

    /** Meters of one listener. */
    public static final class ListenerMeters extends Scope {
        private final String listener;
        private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
        /** Meters also tagged with a pool or backend, by {@link SharedKey}. */
        final Map<Object, Meter> shared = new ConcurrentHashMap<>();
        public final AtomicInteger active = new AtomicInteger();
        public final Counter accepted;
        public final Counter bytesIn;
        public final Counter bytesOut;
        public final Timer duration;
        private volatile DoubleSupplier queueLength = () -> 0;
        private volatile java.util.function.IntSupplier sources = () -> 0;
        private volatile DoubleSupplier notAfter = () -> Double.NaN;

        ListenerMeters(MeterRegistry registry, String listener) {
            super(registry);
            this.listener = listener;
            Tags t = Tags.of("listener", listener);
            add(Gauge.builder("dicomlb.listener.connections.active", active, AtomicInteger::get).tags(t)
                    .description("Client connections open now").register(registry));
            accepted = add(Counter.builder("dicomlb.listener.connections").tags(t)
                    .description("Client connections accepted").register(registry));
            bytesIn = add(Counter.builder("dicomlb.listener.bytes").baseUnit("bytes").tags(t).tag("direction", "in")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            bytesOut = add(Counter.builder("dicomlb.listener.bytes").baseUnit("bytes").tags(t).tag("direction", "out")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            duration = add(Timer.builder("dicomlb.listener.connection.duration").tags(t)
                    .description("Lifetime of client connections").register(registry));
            add(Gauge.builder("dicomlb.listener.queue.length", this, m -> m.queueLength.getAsDouble()).tags(t)
                    .description("Clients waiting for the listener to take them (at its max-connections)").register(registry));
        }

        public String name() {
            return listener;
        }

        /** Where the queue-length gauge reads from: the listener runtime serving this name now. */
        public void queueLength(DoubleSupplier source) {
            this.queueLength = Objects.requireNonNull(source, "source");
        }

        /** Connections refused or failed before relaying, by reason (no_backend, queue_full ...). */
        public void rejected(String reason) {
            rejected.computeIfAbsent(reason, r -> add(Counter.builder("dicomlb.listener.rejected")
                    .tags("listener", listener, "reason", r)
                    .description("Client connections that could not be served").register(registry))).increment();
        }

        /** Sources the listener's source-limits table tracks now (a gauge reading {@code size}). */
        public void sourcesTracked(java.util.function.IntSupplier size) {
            sources = size;
            own("sources", r -> Gauge.builder("dicomlb.listener.sources", this, m -> m.sources.getAsInt())
                    .tags("listener", listener)
                    .description("Client addresses or subnets tracked by the listener's source-limits").register(r));
        }

        /**
         * When the listener's TLS certificate expires, in seconds since the epoch ({@code source}
         * gives NaN when the listener has no TLS now): what a renewal alert watches.
         */
        public void certificateNotAfter(DoubleSupplier source) {
            notAfter = source;
            own("tls.not.after", r -> Gauge.builder("dicomlb.listener.tls.certificate.not.after", this, m -> m.notAfter.getAsDouble())
                    .tags("listener", listener).baseUnit("seconds")
                    .description("Expiry of the certificate the listener presents (seconds since the epoch)").register(r));
        }

        /** A new source was admitted without per-source limits because the table was full. */
        public void sourceTableFull() {
            own("sources.untracked", r -> Counter.builder("dicomlb.listener.sources.untracked").tags("listener", listener)
                    .description("Connections admitted without per-source limits because the source table was full")
                    .register(r)).increment();
        }

        /** An {@code accept} on the listening socket failed: out of descriptors, or another reason. */
        public void acceptFailed(String reason) {
            own("accept.failures " + reason, r -> Counter.builder("dicomlb.listener.accept.failures")
                    .tags("listener", listener, "reason", reason)
                    .description("Failed accepts on the listening socket (descriptors: the process ran out of file descriptors)")
                    .register(r)).increment();
        }

        /** A meter tagged with this listener alone, made once per {@code key}. */
        @SuppressWarnings("unchecked")
        public <M extends Meter> M own(String key, Function<MeterRegistry, M> make) {
            M m = (M) shared.get(key);
            if (m == null) {
                m = (M) shared.computeIfAbsent(key, k -> add(make.apply(registry)));
            }
            return m;
        }
    }

    /** Meters of one pool. */
    public static final class PoolMeters extends Scope {
        private final String pool;

        PoolMeters(MeterRegistry registry, Pool p) {
            super(registry);
            this.pool = p.name();
            add(Gauge.builder("dicomlb.pool.queue.length", p, Pool::queueLength)
                    .tag("pool", pool).description("Connections waiting for a free backend slot").register(registry));
            add(Gauge.builder("dicomlb.pool.backends.eligible", p, x -> x.snapshot().eligible().size())
                    .tag("pool", pool).description("Endpoints taking new connections now").register(registry));
        }

        public String name() {
            return pool;
        }
    }

    /** Meters of one backend, over all its endpoints. */
    public static final class BackendMeters extends Scope {
        private final Tags tags;
        private final String backend;
        private final Map<String, Counter> connectFailures = new ConcurrentHashMap<>();
        public final Counter connections;
        public final Counter bytesIn;
        public final Counter bytesOut;

        BackendMeters(MeterRegistry registry, Backend b) {
            super(registry);
            this.backend = b.name();
            this.tags = Tags.of("pool", b.pool().name(), "backend", b.name());
            gauge("dicomlb.backend.connections.active", b, Backend::active, "Connections to this backend open now");
            gauge("dicomlb.backend.eligible", b, x -> x.eligible() ? 1 : 0,
                    "1 when the backend takes new connections (healthy, ready, weight > 0)");
            gauge("dicomlb.backend.weight", b, Backend::effectiveWeight, "Weight used for balancing now");
            connections = add(Counter.builder("dicomlb.backend.connections").tags(tags)
                    .description("Connections established to this backend").register(registry));
            bytesIn = add(Counter.builder("dicomlb.backend.bytes").baseUnit("bytes").tags(tags).tag("direction", "in")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
            bytesOut = add(Counter.builder("dicomlb.backend.bytes").baseUnit("bytes").tags(tags).tag("direction", "out")
                    .description("Bytes relayed, in = client to backend, out = backend to client").register(registry));
        }

        public String name() {
            return backend;
        }

        /** A failed connect attempt, by reason (refused, timeout, unreachable, reset, other). */
        public void connectFailed(String reason) {
            connectFailures.computeIfAbsent(reason, r -> add(Counter.builder("dicomlb.backend.connect.failures")
                    .tags(tags).tag("reason", r)
                    .description("Failed connect attempts to this backend").register(registry))).increment();
        }

        private void gauge(String name, Backend b, ToDoubleFunction<Backend> f, String description) {
            add(Gauge.builder(name, b, f).tags(tags).description(description).register(registry));
        }
    }
}
