package org.dicomlb.engine.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.balance.Strategies;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.pool.PoolSnapshot;
import org.dicomlb.engine.pool.Selector;

/**
 * {@code persistence: source}: a weighted rendezvous hash of the client address over a pool's
 * eligible endpoints, whatever the pool's own balance, so one client keeps its backend while it is
 * eligible and only the clients of a backend that leaves move. The selector is built once per
 * published pool snapshot and shared by every event loop.
 */
final class SourceChoices {
    private record Built(PoolSnapshot snapshot, Selector selector) {
    }

    private final Map<String, Built> byPool = new ConcurrentHashMap<>();

    Selector of(Pool pool) {
        PoolSnapshot now = pool.snapshot();
        Built b = byPool.get(pool.name());
        if (b == null || b.snapshot() != now) {
            b = new Built(now, Strategies.build(Balance.SOURCE, now.eligible(), new AtomicInteger()));
            byPool.put(pool.name(), b);
        }
        return b.selector();
    }
}
