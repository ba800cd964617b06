package org.dicomlb.dnsproxy;

/**
 * Whether a {@code dns} backend has addresses to send connections to. This is not health: the
 * resolved endpoints are health-checked like any other, and admin state (drain, maintenance) is
 * kept apart by the engine.
 */
public enum ResolutionState {
    /** The backend has at least one address from the last answer (possibly kept through failed rounds). */
    UP,
    /** No address: not resolved yet, the name has none now, or no resolver answered for resolve-fall rounds. */
    DOWN
}
