package org.dicomlb.harness.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether some process listens on a TCP port, read from /proc/net/tcp{,6}. Asking the kernel
 * instead of connecting keeps readiness checks from opening associations on the peer (a probe
 * connection can end a single-process storescp's accept loop or show up in its counts).
 */
public final class Listening {
    private static final String LISTEN_STATE = "0A";

    private Listening() {
    }

    public static boolean onPort(int port) {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st ...
                    if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals(LISTEN_STATE)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + table, e);
            }
        }
        return false;
    }
}
