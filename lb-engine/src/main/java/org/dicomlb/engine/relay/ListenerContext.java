package org.dicomlb.engine.relay;

import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;

/** What a frontend handler needs from the listener that accepted its connection. */
public interface ListenerContext {
    /** The listener's configuration as of now (a reload may replace it between connections). */
    ListenerConfig config();

    /** The live pool with this name, or null when no such pool exists (any more). */
    Pool pool(String name);

    EngineMetrics metrics();

    EngineMetrics.ListenerMeters meters();

    EndpointObserver observer();

    /**
     * Counts an accepted connection against {@code max-connections}; false when it is over the
     * limit (the frontend then refuses it in its protocol's terms). Either way, the connection
     * must end with {@link #connectionClosed()}.
     */
    boolean admit();

    /** Called once per accepted connection when it has fully ended. */
    void connectionClosed();
}
