package org.dicomlb.engine.config;

/** The source address a listener's backends see. */
public enum SourceAddress {
    /** The appliance's own (the usual proxy; nat masquerades). */
    APPLIANCE,
    /**
     * The client's own: tcp and dicom listeners connect to the backend from the client's address
     * ({@code IP_TRANSPARENT}, with the appliance's policy routing); nat does not masquerade; dsr
     * always does this.
     */
    CLIENT
}
