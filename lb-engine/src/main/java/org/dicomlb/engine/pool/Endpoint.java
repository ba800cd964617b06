package org.dicomlb.engine.pool;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.config.SocketAddresses;

/**
 * One address of a backend: what balancing picks, what a connection dials and what health
 * checks probe. A backend written with one fixed address has one endpoint whose id is
 * {@code pool/backend}; a backend with several addresses has one endpoint per address, with ids
 * {@code pool/backend@ip:port}. An endpoint's address never changes: a new address is a new
 * endpoint, and the old one keeps its open connections until they end.
 *
 * <p>The connection counter is atomic because connections on different event loops acquire and
 * release slots concurrently; health and the slow-start scale are volatile, written only by the
 * control thread.
 */
public final class Endpoint {
    private final Backend backend;
    private final InetSocketAddress address;
    /** The address as logs show it, formatted once: every access-log line names it. */
    private final String addressText;
    private final String id;
    private final boolean ownId;
    private final AtomicInteger active = new AtomicInteger();
    private volatile EndpointHealth health = EndpointHealth.UNCHECKED;
    private volatile long weightScalePermille = 1000;

    Endpoint(Backend backend, InetSocketAddress address, boolean ownId) {
        this.backend = backend;
        this.address = address;
        this.addressText = SocketAddresses.format(address);
        String base = backend.pool().name() + "/" + backend.name();
        this.id = ownId ? base + "@" + addressText : base;
        this.ownId = ownId;
    }

    /** True when the id names the address (a backend with several). */
    boolean ownId() {
        return ownId;
    }

    public Backend backend() {
        return backend;
    }

    /** The backend's name, as logs and metrics show it. */
    public String name() {
        return backend.name();
    }

    public Pool pool() {
        return backend.pool();
    }

    /** The identity used by health checks and logs; see the class comment. */
    public String id() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code ip:port} or {@code [v6]:port}. */
    public String addressText() {
        return addressText;
    }

    public int active() {
        return active.get();
    }

    public EndpointHealth health() {
        return health;
    }

    void health(EndpointHealth h) {
        this.health = h;
    }

    /** The weight in force now, as operators read it: the backend's weight scaled by slow start. */
    public int effectiveWeight() {
        int w = backend.config().weight();
        return w == 0 ? 0 : (int) Math.max(1, Math.round(w * weightScalePermille / 1000.0));
    }

    /**
     * The weight balancing uses: the backend's weight times the slow-start scale in permille, so a
     * ramp has 1000 steps of resolution even for weight 1 (0 only when the weight is 0).
     */
    public long balanceWeight() {
        int w = backend.config().weight();
        return w == 0 ? 0 : Math.max(1, w * weightScalePermille);
    }

    /** The slow-start scale, 0..1000 permille of the configured weight. */
    public long weightScalePermille() {
        return weightScalePermille;
    }

    void weightScalePermille(long permille) {
        this.weightScalePermille = Math.max(0, Math.min(1000, permille));
    }

    /** Eligible for new connections: healthy, its backend ready, weight above zero. */
    public boolean eligible() {
        return health.serving() && backend.adminState() == AdminState.READY && backend.config().weight() > 0;
    }

    /**
     * Takes one connection slot if the endpoint is under its backend's {@code max-connections}.
     * Every successful call must be paired with exactly one {@link #release()}.
     */
    public boolean tryAcquire() {
        int max = backend.config().maxConnections();
        if (max == 0) {
            active.incrementAndGet();
            backend.acquired();
            return true;
        }
        for (;;) {
            int n = active.get();
            if (n >= max) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                backend.acquired();
                return true;
            }
        }
    }

    /** Gives a slot back; a connection waiting in the pool's queue may take it. */
    public void release() {
        releaseQuietly();
        backend.pool().slotFreed();
    }

    /** Gives back a slot taken for a connection that never started, without waking the queue. */
    void releaseQuietly() {
        active.decrementAndGet();
        backend.released();
    }

    @Override
    public String toString() {
        return id;
    }
}
