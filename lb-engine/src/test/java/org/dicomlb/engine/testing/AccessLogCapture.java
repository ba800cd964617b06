package org.dicomlb.engine.testing;

import ch.qos.logback.classic.Level;

/** Captures access-log lines written while it is open. */
public final class AccessLogCapture extends LogCapture {
    public AccessLogCapture() {
        super("dicomlb.access", Level.INFO);
    }
}
