package org.dicomlb.io;

import java.io.IOException;
import java.util.Locale;

/**
 * Errors that are this machine's, not a peer's. A connect or accept that fails because the
 * process ran out of file descriptors says nothing about the backend or client at the other end,
 * and must never be counted against it (every backend would look down at once).
 */
public final class SystemErrors {
    private SystemErrors() {
    }

    /**
     * True for EMFILE (this process) or ENFILE (the whole system), as the JDK and Netty word
     * them, anywhere in the cause chain (Netty wraps a failed {@code socket()} in
     * "Unable to create Channel").
     */
    public static boolean outOfDescriptors(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if ((c instanceof IOException || c instanceof RuntimeException)
                    && (m.contains("too many open files") || m.contains("emfile") || m.contains("enfile"))) {
                return true;
            }
        }
        return false;
    }
}
