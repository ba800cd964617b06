package org.dicomlb.engine.balance;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Selector;

/**
 * Fewest active connections per unit of weight. Ties are broken by a rotating start so equal
 * backends share new connections evenly instead of the first one taking every tie.
 */
final class LeastConn implements Selector {
    private final Endpoint[] endpoints;
    private final AtomicInteger cursor;

    LeastConn(List<Endpoint> eligible, AtomicInteger cursor) {
        this.endpoints = eligible.toArray(Endpoint[]::new);
        this.cursor = cursor;
    }

    @Override
    public Endpoint select(InetAddress client, Set<Endpoint> exclude) {
        int n = endpoints.length;
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        boolean[] refused = new boolean[n];
        for (int attempt = 0; attempt < n; attempt++) {
            int best = -1;
            for (int k = 0; k < n; k++) {
                int i = (start + k) % n;
                Endpoint e = endpoints[i];
                if (refused[i] || exclude.contains(e)) {
                    continue;
                }
                if (best < 0 || fewer(e, endpoints[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                return null;
            }
            if (endpoints[best].tryAcquire()) {
                return endpoints[best];
            }
            refused[best] = true;
        }
        return null;
    }

    /** a.active/a.weight < b.active/b.weight, compared without division. */
    private static boolean fewer(Endpoint a, Endpoint b) {
        long wa = Math.max(1, a.balanceWeight());
        long wb = Math.max(1, b.balanceWeight());
        return (long) a.active() * wb < (long) b.active() * wa;
    }
}
