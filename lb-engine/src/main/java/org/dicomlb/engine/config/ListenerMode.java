package org.dicomlb.engine.config;

/** What a listener understands of the bytes it relays. */
public enum ListenerMode {
    /** Plain TCP relay: pick a backend per connection and copy bytes both ways. */
    TCP,
    /**
     * DICOM associations: read the A-ASSOCIATE-RQ, route it, forward it to a backend, relay the
     * backend's answer, then copy bytes both ways.
     */
    DICOM
}
