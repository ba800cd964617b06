package org.dicomlb.testkit;

import java.nio.file.Path;
import java.util.List;

/**
 * This machine's UDP sockets as the kernel lists them in /proc/net/udp and /proc/net/udp6: the
 * local port of each, both address families together. Asking the kernel sends nothing to anyone.
 */
public final class UdpSockets {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private UdpSockets() {
    }

    /** Whether some socket is bound to UDP {@code port}. */
    public static boolean bound(int port) {
        return ProcNetTables.rows(TABLES).stream().anyMatch(f -> f.length > 1 && ProcNetTables.port(f[1]) == port);
    }
}
