package org.dicomlb.healthcheck;

/** How one probe ended; also the {@code result} tag of the checks counter. */
public enum CheckOutcome {
    SUCCESS,
    FAILURE,
    TIMEOUT,
    /**
     * The probe could not run for a reason of this machine's (out of file descriptors): it says
     * nothing about the endpoint, so it changes no state and counts toward neither rise nor fall.
     */
    LOCAL_ERROR;

    public boolean success() {
        return this == SUCCESS;
    }
}
