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
     * Runs {@code start} on the connection's event loop once the listener is under its
     * {@code max-connections}: at once, or when another connection ends. A connection that
     * ends while still waiting is simply forgotten.
     */
    void admit(ProxyConnection connection, Runnable start);

    /** Called once when a connection is accepted (before admission). */
    void opened(ProxyConnection connection);

    /** Called once when an accepted connection has fully ended (admitted or not). */
    void ended(ProxyConnection connection);

    /** Called once by every admitted connection when it has fully ended. */
    void connectionClosed();
}
