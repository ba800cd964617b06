package org.dicomlb.engine.pool;

/** What an operator wants for a backend, independent of what health checks say. */
public enum AdminState {
    /** Takes new connections when healthy. */
    READY,
    /** No new connections; established ones continue until they end. */
    DRAIN,
    /** Maintenance: no new connections, and it is not probed for the pool's decisions. */
    MAINT
}
