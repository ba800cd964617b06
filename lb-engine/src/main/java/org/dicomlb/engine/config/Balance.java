package org.dicomlb.engine.config;

/** How a pool picks a backend for a new connection. */
public enum Balance {
    /** Smooth weighted round robin: weights respected, no bursts to one backend. */
    ROUNDROBIN,
    /** Fewest active connections relative to weight; ties rotate. */
    LEASTCONN,
    /** Weighted rendezvous hash of the client IP: stable, minimal movement on membership change. */
    SOURCE,
    /** The first backend in file order that has a free slot (fill one server, spill to the next). */
    FIRST
}
