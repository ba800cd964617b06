package org.dicomlb.dicom.echo;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.dicomlb.dicom.AeTitle;

/**
 * One C-ECHO to perform.
 *
 * @param address resolved already: name resolution blocks, and an event loop must not
 * @param timeout bounds the whole exchange, from connect to close
 */
public record EchoRequest(AeTitle callingAe, AeTitle calledAe, InetSocketAddress address, Duration timeout) {
    public EchoRequest {
        Objects.requireNonNull(callingAe, "callingAe");
        Objects.requireNonNull(calledAe, "calledAe");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it off the event loop first");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }
}
