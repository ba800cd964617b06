package org.dicomlb.l4;

/** Kernel listeners cannot be applied: nft refused, a tool is missing, the host lacks what they need. */
public final class L4Exception extends Exception {
    public L4Exception(String message) {
        super(message);
    }

    public L4Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
