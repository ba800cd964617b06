package org.dicomlb.engine.pool;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.config.BackendConfig;

/**
 * The live state of one configured backend of a pool, shared by every event loop. It outlives
 * reloads as long as its pool and name stay, so its admin state and connection count carry over.
 * Its endpoints (one per address) come from its address source: the file, or a resolver.
 *
 * <p>Written only by the control thread (volatile fields, replaced lists); read by any thread.
 */
public final class Backend {
    private final Pool pool;
    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    private volatile BackendConfig config;
    private volatile AdminState adminState = AdminState.READY;
    private volatile List<Endpoint> endpoints = List.of();
    private volatile Addresses addresses = Addresses.NONE;

    /**
     * Where the current addresses came from.
     *
     * @param source  "config" for a fixed address, or the resolver that answered
     * @param at      when they were learned
     * @param problem why there are none (or why they may be stale), empty when all is well
     */
    public record Addresses(List<InetSocketAddress> list, String source, Instant at, String problem) {
        public static final Addresses NONE = new Addresses(List.of(), "", Instant.EPOCH, "not resolved yet");

        public Addresses {
            list = List.copyOf(list);
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(problem, "problem");
        }
    }

    Backend(Pool pool, BackendConfig config) {
        this.pool = pool;
        this.name = config.name();
        this.config = config;
    }

    public Pool pool() {
        return pool;
    }

    public String name() {
        return name;
    }

    /** {@code pool/backend}: how the admin API and logs name the backend. */
    public String id() {
        return pool.name() + "/" + name;
    }

    public BackendConfig config() {
        return config;
    }

    void config(BackendConfig c) {
        this.config = c;
    }

    public AdminState adminState() {
        return adminState;
    }

    void adminState(AdminState s) {
        this.adminState = s;
    }

    /** Current endpoints, in address order. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The endpoint of a backend that has exactly one (a fixed address), or empty. */
    public Optional<Endpoint> single() {
        List<Endpoint> e = endpoints;
        return e.size() == 1 ? Optional.of(e.getFirst()) : Optional.empty();
    }

    public Addresses addresses() {
        return addresses;
    }

    /** Open connections over all its endpoints, current and retired. */
    public int active() {
        return active.get();
    }

    void acquired() {
        active.incrementAndGet();
    }

    void released() {
        active.decrementAndGet();
    }

    /** Takes new connections now: ready, weight above zero and at least one endpoint eligible. */
    public boolean eligible() {
        for (Endpoint e : endpoints) {
            if (e.eligible()) {
                return true;
            }
        }
        return false;
    }

    /** The highest effective weight of its endpoints (0 with none): what status shows. */
    public int effectiveWeight() {
        int w = 0;
        for (Endpoint e : endpoints) {
            w = Math.max(w, e.effectiveWeight());
        }
        return w;
    }

    /**
     * Replaces the addresses. An address that stays keeps its endpoint (and its health, weight
     * scale and connections); a new one gets a new endpoint; endpoints whose address left are
     * returned, their connections continuing until they end. With {@code ownIds} every endpoint
     * is named by its address too ({@code pool/backend@ip:port}); otherwise there is at most one
     * endpoint and it is named {@code pool/backend}. Control thread only; republish the pool after.
     */
    public List<Endpoint> addresses(Addresses next, boolean ownIds) {
        if (!ownIds && next.list().size() > 1) {
            throw new IllegalArgumentException("backend " + id() + " has one endpoint, not " + next.list().size());
        }
        Map<InetSocketAddress, Endpoint> old = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            old.put(e.address(), e);
        }
        List<Endpoint> kept = new ArrayList<>();
        List<Endpoint> gone = new ArrayList<>();
        for (InetSocketAddress a : next.list()) {
            Endpoint e = old.remove(a);
            if (e != null && e.ownId() != ownIds) {
                gone.add(e); // same address, now named differently: a new endpoint
                e = null;
            }
            kept.add(e != null ? e : new Endpoint(this, a, ownIds));
        }
        gone.addAll(old.values());
        this.endpoints = List.copyOf(kept);
        this.addresses = next;
        return List.copyOf(gone);
    }

    @Override
    public String toString() {
        return id();
    }
}
