package org.dicomlb.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine's TCP sockets as the kernel lists them in /proc/net/tcp and /proc/net/tcp6: ports,
 * state and pending timer, both address families together (dicomlb's listeners accept on
 * dual-stack sockets, its backend sockets are IPv4). Asking the kernel sends nothing to anyone.
 */
public final class TcpSockets {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private TcpSockets() {
    }

    /**
     * One row of the tables.
     *
     * @param state the kernel's TCP state in hex: 01 established, 0A listening
     * @param timer the pending timer the kernel shows: 0 none, 1 retransmission, 2 the socket
     *              timer (on an established socket only keepalive uses it), 4 zero-window probe
     */
    public record Socket(int localPort, int remotePort, String state, int timer) {
        public boolean listening() {
            return state.equals("0A");
        }

        public boolean established() {
            return state.equals("01");
        }

        /** Established, with its keepalive timer pending: SO_KEEPALIVE is on. */
        public boolean keepalive() {
            return established() && timer == 2;
        }
    }

    /** Every TCP socket of both tables; a table that is not there (no IPv6) is skipped. */
    public static List<Socket> all() {
        List<Socket> all = new ArrayList<>();
        // Fields: sl local_address rem_address st tx:rx tr:when ...
        for (String[] f : ProcNetTables.rows(TABLES)) {
            if (f.length > 5) {
                all.add(new Socket(ProcNetTables.port(f[1]), ProcNetTables.port(f[2]), f[3], Integer.parseInt(f[5].split(":")[0], 16)));
            }
        }
        return all;
    }
}
