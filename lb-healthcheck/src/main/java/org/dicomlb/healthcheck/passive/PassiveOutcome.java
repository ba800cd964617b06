package org.dicomlb.healthcheck.passive;

/** What the data plane saw when it used a backend for a real client. */
public enum PassiveOutcome {
    /** TCP connect to the backend failed (refused, reset, timed out). */
    CONNECT_FAILED,
    /** The backend refused or aborted the work: A-ASSOCIATE-RJ or A-ABORT from it, HTTP 5xx. */
    REJECTED,
    /** The backend served the client (association accepted, response relayed). */
    SUCCESS;

    public boolean failure() {
        return this != SUCCESS;
    }
}
