package org.dicomlb.gslb.config;

/** When a member that failed and recovered gets traffic again. */
public enum FailbackMode {
    /** As soon as it is healthy (and its gate, if any, passes). */
    AUTO,
    /** Only after {@code dicomlb gslb failback NAME} (or its admin API call). */
    MANUAL,
    /** After it has been healthy without a break for a set time. */
    AFTER
}
