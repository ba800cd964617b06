package org.dicomlb.dnsproxy.config;

/**
 * What happens to established connections to an address that a new answer no longer contains:
 * {@code keep} lets them run to their end (only new connections follow the answer),
 * {@code shutdown} closes them.
 */
public enum OnChange {
    KEEP,
    SHUTDOWN
}
