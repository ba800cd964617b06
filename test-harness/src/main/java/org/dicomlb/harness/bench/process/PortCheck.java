package org.dicomlb.harness.bench.process;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.harness.peers.Listening;

/**
 * Refuses to start a benchmark when a stale process from an earlier run still holds one of the
 * harness's ports (read from the kernel's socket tables, see {@link Listening}).
 */
public final class PortCheck {
    private PortCheck() {
    }

    /** Fails, naming the ports, when any of {@code ports} is already taken. */
    public static void requireFree(List<Integer> ports) throws IOException {
        List<Integer> busy = new ArrayList<>();
        for (int port : ports) {
            if (Listening.onPort(port)) {
                busy.add(port);
            }
        }
        if (!busy.isEmpty()) {
            throw new IOException("ports " + busy + " are already listening (a process left over from an earlier run?"
                    + " see `ss -ltnp`); stop it or choose another --port-base");
        }
    }
}
