package org.dicomlb.engine.pool;

import java.util.List;
import org.dicomlb.engine.config.PoolConfig;

/**
 * One immutable view of a pool, published atomically: which backends and endpoints exist, which
 * endpoints are eligible, and the selector built over them. Event loops read it without locks;
 * the control plane builds a new one whenever configuration, addresses, health or admin state
 * change.
 *
 * @param onBackups true when no primary is eligible and the selector spreads over backups
 */
public record PoolSnapshot(PoolConfig config, List<Backend> backends, List<Endpoint> endpoints, List<Endpoint> eligible,
                           boolean onBackups, Selector selector) {
    public PoolSnapshot {
        backends = List.copyOf(backends);
        endpoints = List.copyOf(endpoints);
        eligible = List.copyOf(eligible);
    }
}
