package org.dicomlb.engine.balance;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Selector;

/**
 * The first backend in file order with a free slot. With {@code max-connections} set this fills
 * one server before using the next (good for licences counted per server); without it, all
 * traffic goes to the first eligible backend and the rest are hot standbys.
 */
final class First implements Selector {
    private final Endpoint[] endpoints;

    First(List<Endpoint> eligible) {
        this.endpoints = eligible.toArray(Endpoint[]::new);
    }

    @Override
    public Endpoint select(InetAddress client, Set<Endpoint> exclude) {
        for (Endpoint e : endpoints) {
            if (!exclude.contains(e) && e.tryAcquire()) {
                return e;
            }
        }
        return null;
    }
}
