package org.dicomlb.engine.config;

/** What happens to established connections of a backend that health checks mark down. */
public enum OnDown {
    /** Leave them alone: a slow or half-broken server may still finish what it started (default). */
    KEEP,
    /** Close them, so clients reconnect (and reach a healthy backend) at once. */
    SHUTDOWN
}
