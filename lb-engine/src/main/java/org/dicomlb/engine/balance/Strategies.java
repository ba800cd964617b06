package org.dicomlb.engine.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Selector;

/** Builds the selector for a balance algorithm over one snapshot's eligible endpoints: the engine's {@link org.dicomlb.engine.pool.Balancer}. */
public final class Strategies {
    private Strategies() {
    }

    /**
     * @param cursor shared rotation state that survives snapshot rebuilds, so a health flap does
     *               not send the next burst of connections to the first backend again
     */
    public static Selector build(Balance balance, List<Endpoint> eligible, AtomicInteger cursor) {
        if (eligible.isEmpty()) {
            return (client, exclude) -> null;
        }
        return switch (balance) {
            case ROUNDROBIN -> new RoundRobin(eligible, cursor);
            case LEASTCONN -> new LeastConn(eligible, cursor);
            case SOURCE -> new SourceHash(eligible);
            case FIRST -> new First(eligible);
        };
    }
}
