package org.dicomlb.healthcheck;

/**
 * The health of one endpoint.
 *
 * <p>{@link #STARTING} is the state of an endpoint the checker has not probed yet. It serves
 * traffic, so an appliance that boots (or reloads) never turns modalities away while its first
 * probes are in flight; but unlike {@link #UP} a single definite failure takes it {@link #DOWN}
 * (two timeouts in a row, since a cold appliance's own first probe can be slow), and its first
 * probe comes within {@code fast-interval}, so a dead server gets traffic for at most about
 * {@code fast-interval + timeout}. One success makes it {@link #UP}.
 */
public enum HealthStatus {
    STARTING,
    UP,
    DOWN;

    /** True when the endpoint may receive new connections as far as health is concerned. */
    public boolean serving() {
        return this != DOWN;
    }
}
