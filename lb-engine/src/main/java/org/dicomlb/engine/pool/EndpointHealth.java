package org.dicomlb.engine.pool;

import java.util.Locale;
import java.util.Objects;

/**
 * What health checking says about one endpoint, as one value (a reader never pairs a new state
 * with an old reason). The operator's admin state is kept apart, on the {@link Backend}.
 *
 * @param reason why the last check failed; empty while the endpoint serves
 */
public record EndpointHealth(State state, String reason) {
    public enum State {
        /** The pool has no health check: always considered serving. */
        UNCHECKED,
        /** Not checked while its backend is in maintenance; checking starts over on {@code ready}. */
        PAUSED,
        /** Checked, first probe not answered yet: serving (see lb-healthcheck's STARTING). */
        STARTING,
        UP,
        DOWN;

        /** As status and the admin API show it: unchecked, paused, starting, up, down. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final EndpointHealth UNCHECKED = new EndpointHealth(State.UNCHECKED, "");
    public static final EndpointHealth PAUSED = new EndpointHealth(State.PAUSED, "");
    public static final EndpointHealth STARTING = new EndpointHealth(State.STARTING, "");

    public EndpointHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    /** May take traffic as far as health is concerned. */
    public boolean serving() {
        return state != State.DOWN;
    }
}
