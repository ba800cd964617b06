package org.dicomlb.healthcheck;

/** How one probe ended; also the {@code result} tag of the checks counter. */
public enum CheckOutcome {
    SUCCESS,
    FAILURE,
    TIMEOUT;

    public boolean success() {
        return this == SUCCESS;
    }
}
