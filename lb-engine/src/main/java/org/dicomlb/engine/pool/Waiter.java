package org.dicomlb.engine.pool;

import java.net.InetAddress;
import java.util.Set;

/**
 * A connection waiting in a pool's queue for a free slot. Exactly one of "granted" or the
 * waiter's own timeout wins, decided by {@link #claim()}.
 */
public interface Waiter {
    InetAddress client();

    /** Endpoints the connection already tried; never offered again. */
    Set<Endpoint> exclude();

    /** Atomically marks the waiter finished; false when it already was (timed out, client left). */
    boolean claim();

    /** Called after a successful {@link #claim()} with a slot on {@code endpoint}; must not block. */
    void granted(Endpoint endpoint);

    /** Called after a successful {@link #claim()} when no backend is eligible any more; must not block. */
    void abandoned();
}
