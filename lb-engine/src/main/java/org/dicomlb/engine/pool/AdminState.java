package org.dicomlb.engine.pool;

/**
 * What an operator wants for a backend, independent of what health checks say (HAProxy keeps a
 * server's admin state apart from its health the same way).
 */
public enum AdminState {
    /** Takes new connections when healthy. */
    READY,
    /** No new connections; established ones continue until they end. */
    DRAIN,
    /** Maintenance: no new connections, and its endpoints are not probed ({@link EndpointHealth.State#PAUSED}). */
    MAINT
}
