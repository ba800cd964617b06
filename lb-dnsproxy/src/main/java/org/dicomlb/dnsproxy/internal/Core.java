package org.dicomlb.dnsproxy.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link org.dicomlb.dnsproxy.DnsBackends}: every watched name, scheduled and
 * resolved on one event loop (the control loop), so the state needs no locks. Resolutions are
 * handed to subscribers on a serial executor in the order they were made; readers on other
 * threads see {@link #entries()}, an immutable value per backend.
 *
 * <p>At most {@code maxConcurrentRounds} rounds run at once (each with one or two questions in
 * flight); a name whose round is due beyond that waits its turn in a queue that holds each name
 * at most once.
 */
public final class Core {
    private static final Logger LOG = LoggerFactory.getLogger(Core.class);

    /** What {@code status()} reads: the config and the resolution, published together. */
    public record Entry(DnsBackendConfig config, Resolution resolution) {
    }

    private final EventLoop loop;
    private final Transport transport;
    private final MeterRegistry registry;
    private final Executor callbacks;
    private final Clock clock;
    private final int maxConcurrentRounds;

    private final Map<String, Watch> watches = new HashMap<>();
    private final ArrayDeque<Watch> waiting = new ArrayDeque<>();
    private final List<Consumer<Resolution>> subscribers = new ArrayList<>();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private int running;
    private boolean closed;
    /**
     * Whether work was handed to the loop yet; guarded by {@code this}. Until a backend is
     * watched, subscribing, applying an empty set and closing need nothing from the loop (there
     * is no resolution to deliver), so they are done under the lock, and an appliance without dns
     * backends never starts the loop's thread or the callbacks'. Once true, every call goes
     * through the loop, in order; the loop first runs after the task that set it was handed over,
     * so it sees what was done under the lock before.
     */
    private boolean started;

    public Core(EventLoop loop, Transport transport, MeterRegistry registry, Executor callbacks, Clock clock,
                int maxConcurrentRounds) {
        this.loop = loop;
        this.transport = transport;
        this.registry = registry;
        this.callbacks = callbacks;
        this.clock = clock;
        this.maxConcurrentRounds = maxConcurrentRounds;
    }

    /** Watches exactly {@code backends}: new ids start, missing ids stop, changed configs are taken over. */
    public CompletableFuture<Void> apply(Map<String, DnsBackendConfig> backends) {
        Map<String, DnsBackendConfig> copy = Map.copyOf(backends);
        synchronized (this) {
            if (!started && copy.isEmpty() && !closed) {
                return CompletableFuture.completedFuture(null);
            }
            started = true;
        }
        return onLoop(() -> {
            if (closed) {
                throw new IllegalStateException("the dns backends are closed");
            }
            for (var it = watches.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!copy.containsKey(e.getKey())) {
                    e.getValue().stop();
                    entries.remove(e.getKey());
                    it.remove();
                    LOG.info("dns backend {} removed", e.getKey());
                }
            }
            for (var e : copy.entrySet()) {
                Watch w = watches.get(e.getKey());
                if (w == null) {
                    w = new Watch(this, e.getKey(), e.getValue());
                    watches.put(e.getKey(), w);
                    updated(w);
                    w.start();
                } else if (!w.config().equals(e.getValue())) {
                    w.reconfigure(e.getValue());
                    updated(w);
                }
            }
            return null;
        });
    }

    /** Adds a subscriber; it first gets the current resolution of every backend, then each change. */
    public CompletableFuture<Void> subscribe(Consumer<Resolution> subscriber) {
        synchronized (this) {
            if (!started) {
                subscribers.add(subscriber);
                return CompletableFuture.completedFuture(null);
            }
        }
        return onLoop(() -> {
            subscribers.add(subscriber);
            List<Resolution> now = watches.values().stream().map(Watch::current)
                    .sorted(Comparator.comparing(Resolution::id)).toList();
            callbacks.execute(() -> now.forEach(r -> deliver(subscriber, r)));
            return null;
        });
    }

    public CompletableFuture<Void> unsubscribe(Consumer<Resolution> subscriber) {
        synchronized (this) {
            if (!started) {
                subscribers.remove(subscriber);
                return CompletableFuture.completedFuture(null);
            }
        }
        return onLoop(() -> {
            subscribers.remove(subscriber);
            return null;
        });
    }

    /** Every backend's config and resolution, sorted by id; any thread. */
    public List<Entry> entries() {
        return entries.values().stream().sorted(Comparator.comparing(e -> e.resolution().id())).toList();
    }

    public Optional<Resolution> resolution(String id) {
        return Optional.ofNullable(entries.get(id)).map(Entry::resolution);
    }

    /** Stops every watch and removes its meters. */
    public CompletableFuture<Void> close() {
        synchronized (this) {
            if (!started) {
                closed = true;
                subscribers.clear();
                return CompletableFuture.completedFuture(null);
            }
        }
        return onLoop(() -> {
            closed = true;
            watches.values().forEach(Watch::stop);
            watches.clear();
            waiting.clear();
            entries.clear();
            subscribers.clear();
            return null;
        });
    }

    // ---- for Watch, on the loop ---------------------------------------------------------------

    EventLoop loop() {
        return loop;
    }

    Transport transport() {
        return transport;
    }

    MeterRegistry registry() {
        return registry;
    }

    Instant now() {
        return clock.instant();
    }

    void requestRound(Watch w) {
        if (closed) {
            return;
        }
        if (running < maxConcurrentRounds) {
            running++;
            w.begin();
        } else if (!w.queued) {
            w.queued = true;
            waiting.add(w);
        }
    }

    void roundEnded() {
        running--;
        if (closed) {
            return;
        }
        Watch w = waiting.poll();
        if (w != null) {
            w.queued = false;
            running++;
            w.begin();
        }
    }

    void dequeue(Watch w) {
        waiting.remove(w);
        w.queued = false;
    }

    void updated(Watch w) {
        entries.put(w.id, new Entry(w.config(), w.current()));
    }

    void publish(Resolution r) {
        List<Consumer<Resolution>> to = List.copyOf(subscribers);
        if (!to.isEmpty()) {
            callbacks.execute(() -> to.forEach(s -> deliver(s, r)));
        }
    }

    private static void deliver(Consumer<Resolution> subscriber, Resolution r) {
        try {
            subscriber.accept(r);
        } catch (RuntimeException e) {
            LOG.error("a subscriber to dns backend {} failed", r.id(), e);
        }
    }

    private <T> CompletableFuture<T> onLoop(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                f.complete(task.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        };
        if (loop.inEventLoop()) {
            run.run();
        } else {
            try {
                loop.execute(run);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                f.completeExceptionally(new IllegalStateException("the event loop of the dns backends has shut down", e));
            }
        }
        return f;
    }
}
