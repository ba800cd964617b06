package org.dicomlb.engine.pool;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.config.BackendConfig;

/**
 * The live state of one backend of a pool, shared by every event loop. It outlives reloads as
 * long as its pool and name stay, so active-connection counts, admin state and health carry over.
 *
 * <p>Counters are atomics because connections on different event loops acquire and release
 * slots concurrently; the rest is volatile and written only by the control plane.
 */
public final class Endpoint {
    private final Pool pool;
    private final String name;
    /** Built once: passive health reports it for every connection. */
    private final String id;
    private final AtomicInteger active = new AtomicInteger();
    private volatile BackendConfig config;
    /** Published as one value so a reader never pairs a new state with an old reason. */
    private volatile Health health = new Health(true, "unchecked", "");
    private volatile AdminState adminState = AdminState.READY;
    private volatile long weightScalePermille = 1000;

    Endpoint(Pool pool, BackendConfig config) {
        this.pool = pool;
        this.name = config.name();
        this.id = pool.name() + "/" + name;
        this.config = config;
    }

    public String name() {
        return name;
    }

    public Pool pool() {
        return pool;
    }

    /** {@code pool/backend}: the identity used by health checks, the admin API and logs. */
    public String id() {
        return id;
    }

    public BackendConfig config() {
        return config;
    }

    void config(BackendConfig c) {
        this.config = c;
    }

    public InetSocketAddress address() {
        return config.address();
    }

    public int active() {
        return active.get();
    }

    /**
     * Checked health as one consistent value.
     *
     * @param serving may take traffic as far as health is concerned
     * @param state   as the status page shows it: unchecked, starting, up, down, maint
     * @param reason  why the last check failed (empty when it has not, or while serving)
     */
    public record Health(boolean serving, String state, String reason) {
    }

    public Health health() {
        return health;
    }

    void health(boolean serving, String state, String reason) {
        this.health = new Health(serving, state, reason);
    }

    public AdminState adminState() {
        return adminState;
    }

    void adminState(AdminState s) {
        this.adminState = s;
    }

    /** The weight in force now, as operators read it: the configured weight scaled by slow start. */
    public int effectiveWeight() {
        int w = config.weight();
        return w == 0 ? 0 : (int) Math.max(1, Math.round(w * weightScalePermille / 1000.0));
    }

    /**
     * The weight balancing uses: configured weight times the slow-start scale in permille, so a
     * ramp has 1000 steps of resolution even for weight 1 (0 only when the weight is 0).
     */
    public long balanceWeight() {
        int w = config.weight();
        return w == 0 ? 0 : Math.max(1, w * weightScalePermille);
    }

    /** The slow-start scale, 0..1000 permille of the configured weight. */
    public long weightScalePermille() {
        return weightScalePermille;
    }

    void weightScalePermille(long permille) {
        this.weightScalePermille = Math.max(0, Math.min(1000, permille));
    }

    /** Eligible for new connections: healthy, ready, weight above zero. */
    public boolean eligible() {
        return health.serving() && adminState == AdminState.READY && config.weight() > 0;
    }

    /**
     * Takes one connection slot if the backend is under its {@code max-connections}. Every
     * successful call must be paired with exactly one {@link #release()}.
     */
    public boolean tryAcquire() {
        int max = config.maxConnections();
        if (max == 0) {
            active.incrementAndGet();
            return true;
        }
        for (;;) {
            int n = active.get();
            if (n >= max) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a slot back; a connection waiting in the pool's queue may take it. */
    public void release() {
        active.decrementAndGet();
        pool.slotFreed();
    }

    /** Gives back a slot taken for a connection that never started, without waking the queue. */
    void releaseQuietly() {
        active.decrementAndGet();
    }

    @Override
    public String toString() {
        return id();
    }
}
