package org.dicomlb.harness.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the kernel's TCP socket tables (/proc/net/tcp and tcp6) to tell whether anything listens
 * on a port. Used both to wait for servers and to refuse to start when a stale process from an
 * earlier run still holds one of the harness's ports.
 */
public final class Listening {
    private static final String LISTEN_STATE = "0A";

    private Listening() {
    }

    public static boolean onPort(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                // f[1] is local address:port in hex, f[3] the state.
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals(LISTEN_STATE)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Fails, naming the ports, when any of {@code ports} is already taken. */
    public static void requireFree(List<Integer> ports) throws IOException {
        List<Integer> busy = new java.util.ArrayList<>();
        for (int port : ports) {
            if (onPort(port)) {
                busy.add(port);
            }
        }
        if (!busy.isEmpty()) {
            throw new IOException("ports " + busy + " are already listening (a process left over from an earlier run?"
                    + " see `ss -ltnp`); stop it or choose another --port-base");
        }
    }
}
