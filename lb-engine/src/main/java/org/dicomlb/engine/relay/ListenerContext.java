package org.dicomlb.engine.relay;

import io.netty.channel.Channel;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;

/** What a frontend needs from the listener that accepted its connection. */
public interface ListenerContext {
    /** The listener's configuration as of now (a reload may replace it between connections). */
    ListenerConfig config();

    /** The live pool with this name, or null when no such pool exists (any more). */
    Pool pool(String name);

    EngineMetrics metrics();

    EngineMetrics.ListenerMeters meters();

    /** Where what live traffic says about backends goes (passive health). */
    EndpointObserver observer();

    /** Starts the bookkeeping of a connection just accepted: counted, logged once when it ends. */
    ProxyConnection open(Channel client);

    /**
     * Runs {@code start} on the connection's event loop once the listener is under its
     * {@code max-connections}: at once, or when another connection ends. A connection that
     * ends while still waiting is simply forgotten.
     */
    void admit(ProxyConnection connection, Runnable start);
}
