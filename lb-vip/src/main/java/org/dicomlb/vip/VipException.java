package org.dicomlb.vip;

/**
 * A VIP configuration that cannot be applied (keepalived missing, refusing the generated
 * configuration, exiting at once ...). The message is written for the operator.
 */
public final class VipException extends RuntimeException {
    public VipException(String message) {
        super(message);
    }

    public VipException(String message, Throwable cause) {
        super(message, cause);
    }
}
