package org.dicomlb.engine.pool;

import java.net.InetAddress;
import java.util.Set;

/**
 * Picks a backend for one new connection from an immutable list of eligible endpoints. A
 * selector is built per published pool snapshot and is safe to call from every event loop at
 * once. The endpoint returned has had a slot acquired ({@link Endpoint#tryAcquire()}); the caller
 * owns the matching release.
 */
public interface Selector {
    /**
     * @param client  the client's address (used by {@code source})
     * @param exclude endpoints this connection already tried and failed
     * @return an endpoint with an acquired slot, or null when every candidate is full or excluded
     */
    Endpoint select(InetAddress client, Set<Endpoint> exclude);
}
