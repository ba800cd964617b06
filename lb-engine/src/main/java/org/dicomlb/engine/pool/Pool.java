package org.dicomlb.engine.pool;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.PoolConfig;

/**
 * The live pool: backends that survive reloads, the published {@link PoolSnapshot}, and the
 * queue of connections waiting for a slot.
 *
 * <p>Threading: {@link #update}, {@link #republish} and backend or endpoint state changes run on
 * the engine's single control thread. {@link #pick}, {@link #enqueue} and {@link #slotFreed} run
 * on any event loop and touch only the snapshot, atomics and the concurrent queue.
 */
public final class Pool {
    private final String name;
    private final Balancer balancer;
    private final Map<String, Backend> backends = new LinkedHashMap<>();
    private final AtomicReference<PoolSnapshot> snapshot = new AtomicReference<>();
    private final AtomicInteger cursor = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();

    public Pool(PoolConfig config, Balancer balancer) {
        this.name = config.name();
        this.balancer = balancer;
        update(config);
    }

    public String name() {
        return name;
    }

    public PoolSnapshot snapshot() {
        return snapshot.get();
    }

    public PoolConfig config() {
        return snapshot.get().config();
    }

    /** Backends in file order. */
    public List<Backend> backends() {
        return snapshot.get().backends();
    }

    /** The backend named {@code backend}, or null. */
    public Backend backend(String backend) {
        for (Backend b : snapshot.get().backends()) {
            if (b.name().equals(backend)) {
                return b;
            }
        }
        return null;
    }

    /** Every current endpoint, backends in file order. */
    public List<Endpoint> endpoints() {
        return snapshot.get().endpoints();
    }

    /**
     * Applies a new configuration: backends keep their live state when their name stays, new
     * ones start fresh (without endpoints until their addresses are set), removed ones are
     * returned (their connections keep running and release their slots as they end). Control
     * thread only.
     */
    public List<Backend> update(PoolConfig config) {
        if (!config.name().equals(name)) {
            throw new IllegalArgumentException("pool " + name + " cannot become " + config.name());
        }
        Map<String, Backend> old = new LinkedHashMap<>(backends);
        backends.clear();
        for (BackendConfig b : config.backends()) {
            Backend e = old.remove(b.name());
            if (e == null) {
                e = new Backend(this, b);
            } else {
                e.config(b);
            }
            backends.put(b.name(), e);
        }
        publish(config);
        return List.copyOf(old.values());
    }

    /** Rebuilds the snapshot after addresses, health or admin state changed. Control thread only. */
    public void republish() {
        publish(snapshot.get().config());
    }

    private void publish(PoolConfig config) {
        List<Backend> all = List.copyOf(backends.values());
        List<Endpoint> endpoints = new ArrayList<>();
        List<Endpoint> primaries = new ArrayList<>();
        List<Endpoint> backups = new ArrayList<>();
        for (Backend b : all) {
            for (Endpoint e : b.endpoints()) {
                endpoints.add(e);
                if (e.eligible()) {
                    (b.config().backup() ? backups : primaries).add(e);
                }
            }
        }
        boolean onBackups = primaries.isEmpty() && !backups.isEmpty();
        List<Endpoint> eligible = onBackups ? backups : primaries;
        snapshot.set(new PoolSnapshot(config, all, endpoints, eligible, onBackups,
                balancer.build(config.balance(), eligible, cursor)));
        // Newly eligible endpoints may serve connections that were waiting.
        slotFreed();
    }

    /** Records a health decision; call {@link #republish()} afterwards. Control thread only. */
    public void setHealth(Endpoint e, EndpointHealth health) {
        e.health(health);
    }

    public void setAdminState(Backend b, AdminState state) {
        b.adminState(state);
    }

    public void setWeightScale(Endpoint e, long permille) {
        e.weightScalePermille(permille);
    }

    /** Picks an endpoint for a connection from {@code client}, skipping {@code exclude}. */
    public Pick pick(InetAddress client, Set<Endpoint> exclude) {
        PoolSnapshot s = snapshot.get();
        Endpoint e = s.selector().select(client, exclude);
        if (e != null) {
            return Pick.of(e);
        }
        for (Endpoint candidate : s.eligible()) {
            if (!exclude.contains(candidate)) {
                return Pick.BUSY;
            }
        }
        return Pick.NONE;
    }

    /** Queues a connection until a slot frees; false when the queue is full or disabled. */
    public boolean enqueue(Waiter w) {
        int limit = snapshot.get().config().queue().size();
        for (;;) {
            int n = queued.get();
            if (n >= limit) {
                return false;
            }
            if (queued.compareAndSet(n, n + 1)) {
                break;
            }
        }
        queue.add(w);
        // A slot may have been freed between the caller's pick and this enqueue.
        slotFreed();
        return true;
    }

    /** Removes a waiter that gave up (timeout, client gone); it must have claimed itself first. */
    public void dequeue(Waiter w) {
        if (queue.remove(w)) {
            queued.decrementAndGet();
        }
    }

    public int queueLength() {
        return queued.get();
    }

    /** A slot may be free: hand it to the oldest waiter that can use it. Any thread. */
    void slotFreed() {
        if (queued.get() == 0) {
            return;
        }
        Waiter w;
        while ((w = queue.peek()) != null) {
            Pick p = pick(w.client(), w.exclude());
            if (p.outcome() != Pick.Outcome.ACQUIRED) {
                if (p.outcome() == Pick.Outcome.NONE_ELIGIBLE && queue.remove(w)) {
                    // Nothing will ever serve it here; let its timeout path report the failure early.
                    queued.decrementAndGet();
                    if (w.claim()) {
                        w.abandoned();
                    }
                    continue;
                }
                return;
            }
            if (queue.remove(w)) {
                queued.decrementAndGet();
                if (w.claim()) {
                    w.granted(p.endpoint());
                    continue;
                }
            }
            // Another thread served or expired this waiter first; give the slot back and go on.
            p.endpoint().releaseQuietly();
        }
    }
}
