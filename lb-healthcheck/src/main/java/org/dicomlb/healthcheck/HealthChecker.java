package org.dicomlb.healthcheck;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.dicomlb.healthcheck.internal.CheckerCore;
import org.dicomlb.healthcheck.internal.ControlScheduler;
import org.dicomlb.healthcheck.internal.EventLoopControlScheduler;
import org.dicomlb.healthcheck.passive.PassiveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a set of endpoints and publishes their health.
 *
 * <p>Threads: probes run on the checker's own event loop group (epoll when available, NIO
 * otherwise), never on the proxy's; every state change happens on one of those loops (the
 * control loop), so probe timers, connects and results need no hand-off between threads; events
 * reach subscribers on one event thread, in the order they happened. All public methods are
 * thread-safe; {@link #report} and {@link #states} never block and may be called on event loops.
 *
 * <p>States, timing and passive rules are described in the module README and on {@link
 * HealthStatus} and {@link org.dicomlb.healthcheck.passive.PassiveFilter}.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private static final long CLOSE_WAIT_MILLIS = 2000;

    private final ControlScheduler control;
    private final ProbeTransport transport;
    private final boolean ownsTransport;
    private final HealthCheckFactory factory;
    private final Executor events;
    private final ExecutorService ownedEvents;
    private final List<Consumer<HealthEvent>> subscribers = new CopyOnWriteArrayList<>();
    /** Each owner's targets, in the order owners first appeared; guarded by itself. */
    private final Map<String, Owned> owners = new LinkedHashMap<>();
    /** Which owner holds each id; replaced under the {@code owners} lock, read by any thread. */
    private volatile Map<String, String> ownerOf = Map.of();
    private final CheckerCore core;
    private volatile boolean closed;

    private HealthChecker(Builder b) {
        this.ownsTransport = b.transport == null;
        this.transport = ownsTransport ? ProbeTransport.create(b.ioThreads, "dicomlb-health-io") : b.transport;
        this.control = b.control == null ? new EventLoopControlScheduler(transport.group().next()) : b.control;
        this.factory = b.factory;
        if (b.events == null) {
            ownedEvents = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "dicomlb-health-events");
                t.setDaemon(true);
                return t;
            });
            events = ownedEvents;
        } else {
            ownedEvents = null;
            events = b.events;
        }
        RandomGenerator random = b.random == null ? new SplittableRandom() : b.random;
        this.core = new CheckerCore(control, b.registry, random, this::publish);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes the set checked for {@code owner} equal to {@code targets}, leaving every other
     * owner's targets alone: the engine's pools and the GSLB's members share one checker and each
     * replaces only its own set. Within the combined set: new ids start (state {@link
     * HealthStatus#STARTING}, first probe at a random moment within {@code fast-interval}); ids no
     * longer present stop and their meters go; an id whose address changed starts over; an id whose
     * config changed keeps its state and is rescheduled; an unchanged id keeps state and schedule.
     *
     * @param owner who the targets belong to ({@code pools}, {@code gslb} ...); ids are unique
     *              across owners, so owners use distinct id forms
     * @return completes once {@link #states()} reflects the new set
     * @throws IllegalArgumentException for a duplicate id (also one another owner holds) or a check
     *                                  type this checker cannot run; nothing changes then
     */
    public CompletableFuture<Void> update(String owner, Collection<CheckTarget> targets) {
        Objects.requireNonNull(owner, "owner");
        if (closed) {
            throw new IllegalStateException("health checker is closed");
        }
        Map<String, CheckTarget> wanted = new LinkedHashMap<>();
        Map<String, HealthCheck> checks = new HashMap<>();
        for (CheckTarget t : targets) {
            if (wanted.putIfAbsent(t.id(), t) != null) {
                throw new IllegalArgumentException("duplicate check target id '" + t.id() + "'");
            }
            try {
                checks.put(t.id(), factory.create(t.config().probe(), transport));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("target " + t.id() + ": " + e.getMessage(), e);
            }
        }
        List<CheckTarget> union;
        Map<String, HealthCheck> allChecks;
        // The one lock of the checker: owners call from their own control threads, and the union
        // handed to the control loop must be built and queued in the same order as the updates.
        synchronized (owners) {
            for (String id : wanted.keySet()) {
                String holder = ownerOf.get(id);
                if (holder != null && !holder.equals(owner)) {
                    throw new IllegalArgumentException("check target id '" + id + "' already belongs to " + holder);
                }
            }
            owners.put(owner, new Owned(List.copyOf(wanted.values()), Map.copyOf(checks)));
            union = new ArrayList<>();
            allChecks = new HashMap<>();
            Map<String, String> ids = new HashMap<>();
            for (var e : owners.entrySet()) {
                union.addAll(e.getValue().targets());
                allChecks.putAll(e.getValue().checks());
                e.getValue().targets().forEach(t -> ids.put(t.id(), e.getKey()));
            }
            ownerOf = Map.copyOf(ids);
            CompletableFuture<Void> done = new CompletableFuture<>();
            control.execute(() -> {
                try {
                    if (!closed) {
                        core.reconcile(union, allChecks);
                    }
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
            return done;
        }
    }

    /** What one owner asked to have checked, and the checks made for it. */
    private record Owned(List<CheckTarget> targets, Map<String, HealthCheck> checks) {
    }

    /** An immutable snapshot, id to state, sorted by id. */
    public Map<String, HealthState> states() {
        return core.states();
    }

    public Optional<HealthState> state(String id) {
        return core.state(id);
    }

    /**
     * Receives every status change from now on, on the checker's event thread, in order. A
     * subscriber that throws is logged and keeps its subscription. Close the result to stop.
     */
    public AutoCloseable subscribe(Consumer<HealthEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        // A wrapper per call, so subscribing the same consumer twice needs two closes.
        Consumer<HealthEvent> entry = subscriber::accept;
        subscribers.add(entry);
        return () -> subscribers.remove(entry);
    }

    /**
     * Like {@link #subscribe(Consumer)}, but only events of the targets {@code owner} holds when
     * the event is delivered.
     */
    public AutoCloseable subscribe(String owner, Consumer<HealthEvent> subscriber) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(subscriber, "subscriber");
        return subscribe(e -> {
            if (owner.equals(ownerOf.get(e.id()))) {
                subscriber.accept(e);
            }
        });
    }

    /**
     * What the data plane saw on a real connection to endpoint {@code id}. Thread-safe, never
     * blocks, cheap for successes. Unknown ids and targets without {@code observe} are ignored.
     */
    public void report(String id, PassiveOutcome outcome, InetAddress client) {
        if (!closed) {
            core.report(id, outcome, client);
        }
    }

    /** Stops every probe and releases the threads the checker created. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Runs before the loops stop: a shutting-down event loop still runs the tasks it has.
        control.execute(core::stopAll);
        control.shutdown();
        try {
            if (ownsTransport && !transport.group().shutdownGracefully(0, 100, TimeUnit.MILLISECONDS)
                    .await(CLOSE_WAIT_MILLIS)) {
                log.warn("health checker event loops did not stop within {} ms", CLOSE_WAIT_MILLIS);
            }
            if (ownedEvents != null) {
                ownedEvents.shutdown();
                ownedEvents.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish(HealthEvent event) {
        if (subscribers.isEmpty()) {
            return;
        }
        events.execute(() -> {
            for (Consumer<HealthEvent> s : subscribers) {
                try {
                    s.accept(event);
                } catch (RuntimeException e) {
                    log.warn("health event subscriber failed on {}", event, e);
                }
            }
        });
    }

    /** Settings for a {@link HealthChecker}; every one has a production default. */
    public static final class Builder {
        private MeterRegistry registry = new CompositeMeterRegistry();
        private int ioThreads = 1;
        private HealthCheckFactory factory = HealthCheckFactory.standard();
        private ControlScheduler control;
        private ProbeTransport transport;
        private Executor events;
        private RandomGenerator random;

        private Builder() {
        }

        /** Where meters go; default: nowhere. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Event loop threads for probes; one handles thousands of probes a second. */
        public Builder ioThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("ioThreads must be 1..64");
            }
            this.ioThreads = threads;
            return this;
        }

        /** Which checks exist; default {@link HealthCheckFactory#standard()}. */
        public Builder checkFactory(HealthCheckFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Runs probes, and the control loop, on a transport the caller owns (and closes). It must
         * be a group of its own, never the proxy's event loops.
         */
        public Builder transport(ProbeTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Test seam: a hand-driven clock and serial context. The caller owns it. */
        public Builder controlScheduler(ControlScheduler control) {
            this.control = Objects.requireNonNull(control, "control");
            return this;
        }

        /** Test seam: where subscribers are called; must run tasks one at a time, in order. */
        public Builder eventExecutor(Executor events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /** Test seam: the source of first-probe offsets and jitter. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public HealthChecker build() {
            return new HealthChecker(this);
        }
    }
}
