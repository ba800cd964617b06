package org.dicomlb.engine.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.config.Balance;

/**
 * Builds the {@link Selector} a pool publishes with each snapshot. The balancing strategies
 * ({@code engine.balance.Strategies}) implement it; the pool only holds one, so pools and
 * balancing stay apart (policy never sees a channel, the pool never knows an algorithm).
 */
@FunctionalInterface
public interface Balancer {
    /**
     * @param cursor shared rotation state that survives snapshot rebuilds, so a health flap does
     *               not send the next burst of connections to the first backend again
     */
    Selector build(Balance balance, List<Endpoint> eligible, AtomicInteger cursor);
}
