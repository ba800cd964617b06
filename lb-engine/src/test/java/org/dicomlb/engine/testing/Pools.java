package org.dicomlb.engine.testing;

import org.dicomlb.engine.balance.Strategies;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.pool.AddressSources;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Pool;

/** Live pools for tests that drive handlers without an engine: backends with their addresses set, as the engine sets them. */
public final class Pools {
    private Pools() {
    }

    public static Pool live(PoolConfig config) {
        Pool p = new Pool(config, Strategies::build);
        AddressSources sources = AddressSources.fixedOnly();
        for (Backend b : p.backends()) {
            sources.apply(b);
        }
        p.republish();
        return p;
    }
}
