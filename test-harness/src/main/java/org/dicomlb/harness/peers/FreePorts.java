package org.dicomlb.harness.peers;

import org.dicomlb.testkit.Ports;

/**
 * Free TCP ports on loopback for peers (storescp, Orthanc, nginx ...), from lb-testkit's
 * allocator: below the ephemeral range, so no outgoing connection takes one before the peer binds
 * it. Another process may still take it; {@link PeerProcess} callers retry on a bind failure.
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static int pick() {
        return Ports.free("127.0.0.1");
    }
}
