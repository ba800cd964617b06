package org.dicomlb.harness.peers;

import org.dicomlb.testkit.TcpSockets;
import org.dicomlb.testkit.UdpSockets;

/**
 * Whether some process listens on a TCP port, or has bound a UDP one, read from the kernel's
 * socket tables. Asking the kernel instead of connecting keeps readiness checks from opening
 * associations on the peer (a probe connection can end a single-process storescp's accept loop
 * or show up in its counts).
 */
public final class Listening {
    private Listening() {
    }

    public static boolean onPort(int port) {
        return TcpSockets.all().stream().anyMatch(s -> s.localPort() == port && s.listening());
    }

    /** Whether some process has a UDP socket bound to {@code port}. */
    public static boolean onUdpPort(int port) {
        return UdpSockets.bound(port);
    }
}
